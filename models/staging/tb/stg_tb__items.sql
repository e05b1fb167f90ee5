{#- Accepted rows of tb/items: parsed, typed and checked in
    base_tb__items_checked; rejected rows are in the quarantine. -#}
with

checked_items as (

    select
        item_id,
        shop_id,
        spu_id,
        title,
        price_cny,
        rejection_rule
    from {{ ref('base_tb__items_checked') }}

),

accepted_items as (

    select
        item_id,
        shop_id,
        spu_id,
        title,
        price_cny
    from checked_items
    where rejection_rule is null

)

select * from accepted_items
