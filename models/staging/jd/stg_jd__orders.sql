{#- Accepted rows of jd/orders: parsed, typed and checked in
    base_jd__orders_checked; rejected rows are in the quarantine. -#}
with

checked_orders as (

    select
        order_id,
        pin_hash,
        vender_id,
        sku_id,
        spu_id,
        source_note_id,
        order_state,
        order_status,
        paid_cny,
        is_cancelled,
        is_refunded,
        ordered_at,
        ordered_date,
        rejection_rule
    from {{ ref('base_jd__orders_checked') }}

),

accepted_orders as (

    select
        order_id,
        pin_hash,
        vender_id,
        sku_id,
        spu_id,
        source_note_id,
        order_state,
        order_status,
        paid_cny,
        is_cancelled,
        is_refunded,
        ordered_at,
        ordered_date
    from checked_orders
    where rejection_rule is null

)

select * from accepted_orders
