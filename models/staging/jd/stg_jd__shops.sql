{#- Accepted rows of jd/shops: parsed, typed and checked in
    base_jd__shops_checked; rejected rows are in the quarantine. -#}
with

checked_shops as (

    select
        vender_id,
        shop_name,
        brand_name,
        industry,
        rejection_rule
    from {{ ref('base_jd__shops_checked') }}

),

accepted_shops as (

    select
        vender_id,
        shop_name,
        brand_name,
        industry
    from checked_shops
    where rejection_rule is null

)

select * from accepted_shops
