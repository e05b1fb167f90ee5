{#- tb/items as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), nothing parsed yet. -#}
with

items as (

    select
        cast(item_id as {{ dbt.type_string() }}) as item_id,
        cast(shop_id as {{ dbt.type_string() }}) as shop_id,
        cast(spu_id as {{ dbt.type_string() }}) as spu_id,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(price_fen as {{ dbt.type_string() }}) as price_fen
    from {{ raw_relation('tb', 'items') }}

)

select * from items
