{#- Every row of shared/tri_party_accounts parsed and checked against the raw contract
    (models/staging/shared/_shared__sources.yml): see checked_rows. -#}
{{ config(materialized='table') }}

{{ checked_rows('shared', 'tri_party_accounts') }}
