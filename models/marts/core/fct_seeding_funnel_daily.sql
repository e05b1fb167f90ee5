with

funnel_days as (
    select
        funnel_day_id,
        brand_account_id,
        brand_name,
        industry,
        platform,
        reach_users,
        engaged_users,
        link_click_users,
        store_entry_users,
        buyers,
        orders,
        gmv_cny,
        local_date
    from {{ ref('int_funnel_days_aggregated') }}
),

flagged as (
    select
        *,
        {{ is_below_privacy_floor('reach_users') }} as is_suppressed
    from funnel_days
),

final as (
    select
        funnel_day_id,
        brand_account_id,
        brand_name,
        industry,
        platform,
        cast({{ suppress_if('is_suppressed', 'reach_users') }} as {{ dbt.type_bigint() }})
            as reach_users,
        cast({{ suppress_if('is_suppressed', 'engaged_users') }} as {{ dbt.type_bigint() }})
            as engaged_users,
        cast({{ suppress_if('is_suppressed', 'link_click_users') }} as {{ dbt.type_bigint() }})
            as link_clicks,
        cast({{ suppress_if('is_suppressed', 'store_entry_users') }} as {{ dbt.type_bigint() }})
            as store_entry_users,
        cast({{ suppress_if('is_suppressed', 'buyers') }} as {{ dbt.type_bigint() }}) as buyers,
        cast({{ suppress_if('is_suppressed', 'orders') }} as {{ dbt.type_bigint() }}) as orders,
        cast({{ suppress_if('is_suppressed', 'gmv_cny') }} as {{ type_money() }}) as gmv_cny,
        is_suppressed,
        local_date
    from flagged
)

select * from final
