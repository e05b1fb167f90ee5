{#- Every row of xhs/ad_spend_daily parsed and checked against the raw contract
    (models/staging/xhs/_xhs__sources.yml): see checked_rows. -#}
{{ config(materialized='table') }}

{{ checked_rows('xhs', 'ad_spend_daily') }}
