{#- Attributed GMV never exceeds GMV, in any slice: per order (where it must
    equal the order's GMV exactly), note, campaign, brand and day, for every
    attribution model. A note's or campaign's GMV is that of the distinct
    orders crediting it; a brand's or day's is that of all its conversions.
    Returns the offending slices. -#}
with

credits as (
    select
        conversion_id,
        attribution_model,
        note_id,
        brand_name,
        attributed_gmv_cny,
        order_gmv_cny,
        order_date
    from {{ ref('fct_attributed_orders') }}
),

conversions as (
    select
        conversion_id,
        brand_name,
        gmv_cny,
        order_date
    from {{ ref('fct_conversions') }}
),

campaign_credits as (
    select
        campaign_id,
        conversion_id,
        attribution_model,
        attributed_gmv_cny
    from {{ ref('int_campaign_credits_allocated') }}
),

campaign_roi as (
    select
        campaign_id,
        attribution_model,
        attributed_gmv_cny
    from {{ ref('mart_campaign_roi') }}
),

order_slices as (
    select
        'order' as slice,
        conversion_id as slice_key,
        attribution_model,
        sum(attributed_gmv_cny) as attributed_gmv_cny,
        max(order_gmv_cny) as gmv_cny
    from credits
    group by
        conversion_id,
        attribution_model
),

note_orders as (
    select distinct
        note_id,
        attribution_model,
        conversion_id,
        order_gmv_cny
    from credits
),

note_credit_totals as (
    select
        note_id,
        attribution_model,
        sum(attributed_gmv_cny) as attributed_gmv_cny
    from credits
    group by
        note_id,
        attribution_model
),

note_order_totals as (
    select
        note_id,
        attribution_model,
        sum(order_gmv_cny) as gmv_cny
    from note_orders
    group by
        note_id,
        attribution_model
),

note_slices as (
    select
        'note' as slice,
        note_credit_totals.note_id as slice_key,
        note_credit_totals.attribution_model,
        note_credit_totals.attributed_gmv_cny,
        note_order_totals.gmv_cny
    from note_credit_totals
    inner join note_order_totals
        on
            note_credit_totals.note_id = note_order_totals.note_id
            and note_credit_totals.attribution_model = note_order_totals.attribution_model
),

campaign_orders as (
    select distinct
        campaign_credits.campaign_id,
        campaign_credits.attribution_model,
        campaign_credits.conversion_id,
        conversions.gmv_cny
    from campaign_credits
    inner join conversions
        on campaign_credits.conversion_id = conversions.conversion_id
),

campaign_order_totals as (
    select
        campaign_id,
        attribution_model,
        sum(gmv_cny) as gmv_cny
    from campaign_orders
    group by
        campaign_id,
        attribution_model
),

campaign_slices as (
    select
        'campaign' as slice,
        campaign_roi.campaign_id as slice_key,
        campaign_roi.attribution_model,
        campaign_roi.attributed_gmv_cny,
        coalesce(campaign_order_totals.gmv_cny, 0) as gmv_cny
    from campaign_roi
    left join campaign_order_totals
        on
            campaign_roi.campaign_id = campaign_order_totals.campaign_id
            and campaign_roi.attribution_model = campaign_order_totals.attribution_model
),

brand_gmv as (
    select
        brand_name,
        sum(gmv_cny) as gmv_cny
    from conversions
    group by brand_name
),

brand_credit_totals as (
    select
        brand_name,
        attribution_model,
        sum(attributed_gmv_cny) as attributed_gmv_cny
    from credits
    group by
        brand_name,
        attribution_model
),

brand_slices as (
    select
        'brand' as slice,
        brand_credit_totals.brand_name as slice_key,
        brand_credit_totals.attribution_model,
        brand_credit_totals.attributed_gmv_cny,
        coalesce(brand_gmv.gmv_cny, 0) as gmv_cny
    from brand_credit_totals
    left join brand_gmv
        on brand_credit_totals.brand_name = brand_gmv.brand_name
),

day_gmv as (
    select
        order_date,
        sum(gmv_cny) as gmv_cny
    from conversions
    group by order_date
),

day_credit_totals as (
    select
        order_date,
        attribution_model,
        sum(attributed_gmv_cny) as attributed_gmv_cny
    from credits
    group by
        order_date,
        attribution_model
),

day_slices as (
    select
        'day' as slice,
        day_credit_totals.attribution_model,
        day_credit_totals.attributed_gmv_cny,
        cast(day_credit_totals.order_date as {{ dbt.type_string() }}) as slice_key,
        coalesce(day_gmv.gmv_cny, 0) as gmv_cny
    from day_credit_totals
    left join day_gmv
        on day_credit_totals.order_date = day_gmv.order_date
),

slices as (
    select
        slice,
        slice_key,
        attribution_model,
        attributed_gmv_cny,
        gmv_cny
    from order_slices
    union all
    select
        slice,
        slice_key,
        attribution_model,
        attributed_gmv_cny,
        gmv_cny
    from note_slices
    union all
    select
        slice,
        slice_key,
        attribution_model,
        attributed_gmv_cny,
        gmv_cny
    from campaign_slices
    union all
    select
        slice,
        slice_key,
        attribution_model,
        attributed_gmv_cny,
        gmv_cny
    from brand_slices
    union all
    select
        slice,
        slice_key,
        attribution_model,
        attributed_gmv_cny,
        gmv_cny
    from day_slices
),

final as (
    select *
    from slices
    where
        attributed_gmv_cny > gmv_cny
        or attributed_gmv_cny < 0
        or (slice = 'order' and attributed_gmv_cny <> gmv_cny)
)

select * from final
