{#- jd/orders as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), names in snake_case, nothing parsed yet. -#}
with

orders as (

    select
        cast({{ adapter.quote('orderId') }} as {{ dbt.type_string() }}) as order_id,
        cast({{ adapter.quote('pinHash') }} as {{ dbt.type_string() }}) as pin_hash,
        cast({{ adapter.quote('venderId') }} as {{ dbt.type_string() }}) as vender_id,
        cast({{ adapter.quote('skuId') }} as {{ dbt.type_string() }}) as sku_id,
        cast({{ adapter.quote('spuId') }} as {{ dbt.type_string() }}) as spu_id,
        cast(amount as {{ dbt.type_string() }}) as amount,
        cast({{ adapter.quote('orderTime') }} as {{ dbt.type_string() }}) as order_time,
        cast({{ adapter.quote('orderState') }} as {{ dbt.type_string() }}) as order_state,
        cast({{ adapter.quote('sourceNoteId') }} as {{ dbt.type_string() }}) as source_note_id
    from {{ raw_relation('jd', 'orders') }}

)

select * from orders
