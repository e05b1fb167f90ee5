{#- Every row of shared/user_matches parsed and checked against the raw contract
    (models/staging/shared/_shared__sources.yml): see checked_rows. -#}
{{ config(materialized='table') }}

{{ checked_rows('shared', 'user_matches') }}
