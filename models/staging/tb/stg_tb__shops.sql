{#- Accepted rows of tb/shops: parsed, typed and checked in
    base_tb__shops_checked; rejected rows are in the quarantine. -#}
with

checked_shops as (

    select
        shop_id,
        shop_name,
        brand_name,
        industry,
        is_tmall,
        rejection_rule
    from {{ ref('base_tb__shops_checked') }}

),

accepted_shops as (

    select
        shop_id,
        shop_name,
        brand_name,
        industry,
        is_tmall
    from checked_shops
    where rejection_rule is null

)

select * from accepted_shops
