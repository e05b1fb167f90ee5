{#- Every row of tb/shops parsed and checked against the raw contract
    (models/staging/tb/_tb__sources.yml): see checked_rows. -#}
{{ config(materialized='table') }}

{{ checked_rows('tb', 'shops') }}
