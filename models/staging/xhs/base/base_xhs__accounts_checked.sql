{#- Every row of xhs/accounts parsed and checked against the raw contract
    (models/staging/xhs/_xhs__sources.yml): see checked_rows. -#}
{{ config(materialized='table') }}

{{ checked_rows('xhs', 'accounts') }}
