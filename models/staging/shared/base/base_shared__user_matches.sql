{#- shared/user_matches as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), nothing parsed yet. -#}
with

user_matches as (

    select
        cast(xhs_user_key as {{ dbt.type_string() }}) as xhs_user_key,
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(platform_user_key as {{ dbt.type_string() }}) as platform_user_key,
        cast(match_method as {{ dbt.type_string() }}) as match_method,
        cast(confidence as {{ dbt.type_string() }}) as confidence,
        cast(matched_at as {{ dbt.type_string() }}) as matched_at
    from {{ raw_relation('shared', 'user_matches') }}

)

select * from user_matches
