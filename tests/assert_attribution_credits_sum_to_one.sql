{#- For every attributed order and attribution model the credits add up to
    exactly 1, and every attributed order is credited under every model.
    Returns the offending orders. -#}
with

credits as (
    select
        conversion_id,
        attribution_model,
        credit
    from {{ ref('fct_attributed_orders') }}
),

order_model_totals as (
    select
        conversion_id,
        attribution_model,
        sum(credit) as total_credit
    from credits
    group by
        conversion_id,
        attribution_model
),

order_totals as (
    select
        conversion_id,
        count(*) as models,
        min(total_credit) as smallest_total_credit,
        max(total_credit) as largest_total_credit
    from order_model_totals
    group by conversion_id
),

final as (
    select *
    from order_totals
    where
        models <> {{ attribution_models() | length }}
        or smallest_total_credit <> 1
        or largest_total_credit <> 1
)

select * from final
