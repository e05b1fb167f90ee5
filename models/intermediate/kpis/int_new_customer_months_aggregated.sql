{#- Attributed buyers per brand, shop platform and calendar month of the
    order, and how many of them were new to the shop: their first
    (non-cancelled) order in that shop is an attributed one of the month.
    Not suppressed: mart_new_customers applies the privacy floor. -#}
with

conversions as (
    select
        conversion_id,
        platform,
        buyer_key,
        xhs_brand_account_id,
        brand_name,
        industry,
        gmv_cny,
        is_first_order_in_shop,
        order_date
    from {{ ref('int_conversions_unified') }}
    where is_eligible
),

attributed_orders as (
    select distinct conversion_id
    from {{ ref('int_attribution_credits_computed') }}
),

attributed_conversions as (
    select
        conversions.*,
        cast({{ dbt.date_trunc('month', 'conversions.order_date') }} as date) as order_month
    from conversions
    inner join attributed_orders
        on conversions.conversion_id = attributed_orders.conversion_id
),

final as (
    select
        {{ dbt.concat([
            "xhs_brand_account_id", "'|'", "platform", "'|'",
            "cast(order_month as " ~ dbt.type_string() ~ ")",
        ]) }} as brand_platform_month_id,
        xhs_brand_account_id as brand_account_id,
        brand_name,
        industry,
        platform,
        cast(count(distinct buyer_key) as {{ dbt.type_bigint() }}) as attributed_buyers,
        cast(
            count(distinct case when is_first_order_in_shop then buyer_key end)
            as {{ dbt.type_bigint() }}
        ) as new_buyers,
        cast(count(*) as {{ dbt.type_bigint() }}) as attributed_orders,
        cast(sum(case when is_first_order_in_shop then 1 else 0 end) as {{ dbt.type_bigint() }})
            as new_buyer_orders,
        cast(sum(gmv_cny) as {{ type_money() }}) as gmv_cny,
        cast(sum(case when is_first_order_in_shop then gmv_cny else 0 end) as {{ type_money() }})
            as new_buyer_gmv_cny,
        order_month
    from attributed_conversions
    group by
        xhs_brand_account_id,
        brand_name,
        industry,
        platform,
        order_month
)

select * from final
