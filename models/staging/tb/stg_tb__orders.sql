{#- Accepted rows of tb/orders: parsed, typed and checked in
    base_tb__orders_checked; rejected rows are in the quarantine. -#}
with

checked_orders as (

    select
        order_id,
        buyer_key,
        shop_id,
        item_id,
        order_status,
        quantity,
        paid_cny,
        discount_cny,
        is_presale,
        is_cancelled,
        is_refunded,
        paid_at,
        paid_date,
        rejection_rule
    from {{ ref('base_tb__orders_checked') }}

),

accepted_orders as (

    select
        order_id,
        buyer_key,
        shop_id,
        item_id,
        order_status,
        quantity,
        paid_cny,
        discount_cny,
        is_presale,
        is_cancelled,
        is_refunded,
        paid_at,
        paid_date
    from checked_orders
    where rejection_rule is null

)

select * from accepted_orders
