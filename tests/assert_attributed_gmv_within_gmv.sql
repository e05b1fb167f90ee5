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

{#- brand and day: attributed GMV of the slice against all its conversions -#}
{%- set conversion_slices = [('brand', 'brand_name'), ('day', 'order_date')] %}
{%- for slice, column in conversion_slices %}

    {{ slice }}_gmv as (
        select
            {{ column }},
            sum(gmv_cny) as gmv_cny
        from conversions
        group by {{ column }}
    ),

    {{ slice }}_credit_totals as (
        select
            {{ column }},
            attribution_model,
            sum(attributed_gmv_cny) as attributed_gmv_cny
        from credits
        group by
            {{ column }},
            attribution_model
    ),

    {{ slice }}_slices as (
        select
            '{{ slice }}' as slice,
            {{ slice }}_credit_totals.attribution_model,
            {{ slice }}_credit_totals.attributed_gmv_cny,
            cast({{ slice }}_credit_totals.{{ column }} as {{ dbt.type_string() }}) as slice_key,
            coalesce({{ slice }}_gmv.gmv_cny, 0) as gmv_cny
        from {{ slice }}_credit_totals
        left join {{ slice }}_gmv
            on {{ slice }}_credit_totals.{{ column }} = {{ slice }}_gmv.{{ column }}
    ),
{%- endfor %}

slices as (
    {%- for slice in ['order', 'note', 'campaign', 'brand', 'day'] %}
        select
            slice,
            slice_key,
            attribution_model,
            attributed_gmv_cny,
            gmv_cny
        from {{ slice }}_slices
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
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
