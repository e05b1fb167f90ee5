{#- Accepted rows of xhs/shop_orders: parsed, typed and checked in
    base_xhs__shop_orders_checked; rejected rows are in the quarantine. -#}
with

checked_shop_orders as (

    select
        order_id,
        user_key,
        seller_account_id,
        note_id,
        gmv_cny,
        ordered_at,
        ordered_date,
        rejection_rule
    from {{ ref('base_xhs__shop_orders_checked') }}

),

accepted_shop_orders as (

    select
        order_id,
        user_key,
        seller_account_id,
        note_id,
        gmv_cny,
        ordered_at,
        ordered_date
    from checked_shop_orders
    where rejection_rule is null

)

select * from accepted_shop_orders
