{#- tb/orders as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), nothing parsed yet. -#}
with

orders as (

    select
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(buyer_key as {{ dbt.type_string() }}) as buyer_key,
        cast(shop_id as {{ dbt.type_string() }}) as shop_id,
        cast(item_id as {{ dbt.type_string() }}) as item_id,
        cast(quantity as {{ dbt.type_string() }}) as quantity,
        cast(pay_fen as {{ dbt.type_string() }}) as pay_fen,
        cast(discount_fen as {{ dbt.type_string() }}) as discount_fen,
        cast(is_presale as {{ dbt.type_string() }}) as is_presale,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(paid_at as {{ dbt.type_string() }}) as paid_at
    from {{ raw_relation('tb', 'orders') }}

)

select * from orders
