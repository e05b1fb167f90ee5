with

brand_months as (
    select
        brand_platform_month_id,
        brand_account_id,
        brand_name,
        industry,
        platform,
        attributed_buyers,
        new_buyers,
        attributed_orders,
        new_buyer_orders,
        gmv_cny,
        new_buyer_gmv_cny,
        order_month
    from {{ ref('int_new_customer_months_aggregated') }}
),

flagged as (
    select
        *,
        {{ is_below_privacy_floor('attributed_buyers') }} as is_suppressed
    from brand_months
),

final as (
    select
        brand_platform_month_id,
        brand_account_id,
        brand_name,
        industry,
        platform,
        cast({{ suppress_if('is_suppressed', 'attributed_buyers') }} as {{ dbt.type_bigint() }})
            as attributed_buyers,
        cast({{ suppress_if('is_suppressed', 'new_buyers') }} as {{ dbt.type_bigint() }})
            as new_buyers,
        {{ suppress_if('is_suppressed', safe_divide('new_buyers', 'attributed_buyers')) }}
            as new_customer_share,
        cast({{ suppress_if('is_suppressed', 'attributed_orders') }} as {{ dbt.type_bigint() }})
            as attributed_orders,
        cast({{ suppress_if('is_suppressed', 'new_buyer_orders') }} as {{ dbt.type_bigint() }})
            as new_buyer_orders,
        cast({{ suppress_if('is_suppressed', 'gmv_cny') }} as {{ type_money() }}) as gmv_cny,
        cast({{ suppress_if('is_suppressed', 'new_buyer_gmv_cny') }} as {{ type_money() }})
            as new_buyer_gmv_cny,
        is_suppressed,
        order_month
    from flagged
)

select * from final
