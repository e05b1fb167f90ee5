{#- Every row of jd/orders parsed and checked against the raw contract
    (models/staging/jd/_jd__sources.yml): see checked_rows. -#}
{{ config(materialized='table') }}

{{ checked_rows('jd', 'orders') }}
