{#- tb/searches as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), nothing parsed yet. -#}
with

searches as (

    select
        cast(search_id as {{ dbt.type_string() }}) as search_id,
        cast(buyer_key as {{ dbt.type_string() }}) as buyer_key,
        cast(query as {{ dbt.type_string() }}) as query,
        cast(searched_at as {{ dbt.type_string() }}) as searched_at
    from {{ raw_relation('tb', 'searches') }}

)

select * from searches
