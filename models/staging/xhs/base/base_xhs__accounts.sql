{#- xhs/accounts as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), nothing parsed yet. -#}
with

accounts as (

    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(account_type as {{ dbt.type_string() }}) as account_type,
        cast(nickname as {{ dbt.type_string() }}) as nickname,
        cast(industry as {{ dbt.type_string() }}) as industry,
        cast(follower_count as {{ dbt.type_string() }}) as follower_count,
        cast(created_at as {{ dbt.type_string() }}) as created_at
    from {{ raw_relation('xhs', 'accounts') }}

)

select * from accounts
