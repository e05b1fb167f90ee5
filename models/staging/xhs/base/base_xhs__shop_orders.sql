{#- xhs/shop_orders as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), nothing parsed yet. -#}
with

shop_orders as (

    select
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(user_key as {{ dbt.type_string() }}) as user_key,
        cast(seller_account_id as {{ dbt.type_string() }}) as seller_account_id,
        cast(note_id as {{ dbt.type_string() }}) as note_id,
        cast(gmv_cny as {{ dbt.type_string() }}) as gmv_cny,
        cast(ordered_at as {{ dbt.type_string() }}) as ordered_at
    from {{ raw_relation('xhs', 'shop_orders') }}

)

select * from shop_orders
