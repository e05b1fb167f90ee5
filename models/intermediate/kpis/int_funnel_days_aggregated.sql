{#- The seeding funnel per brand, shop platform and exposure day, before any
    privacy suppression. Stages nest (see int_brand_exposures_tracked):
    reach ≥ engaged ≥ link-click users ≥ store-entry users (tb) ≥ buyers. -#}
with

exposures as (
    select
        brand_account_id,
        brand_name,
        industry,
        platform,
        link_orders,
        link_gmv_cny,
        is_engaged,
        has_link_click,
        has_store_entry_after_link_click,
        is_buyer,
        exposure_date
    from {{ ref('int_brand_exposures_tracked') }}
),

staged_exposures as (
    select
        brand_account_id,
        brand_name,
        industry,
        platform,
        exposure_date,
        link_orders,
        link_gmv_cny,
        is_engaged as is_engaged_stage,
        is_engaged and has_link_click as is_link_click_stage,
        case
            when platform = 'taobao'
                then is_engaged and has_link_click and has_store_entry_after_link_click
        end as is_store_entry_stage,
        is_engaged
        and has_link_click
        and coalesce(has_store_entry_after_link_click, true)
        and is_buyer as is_buyer_stage
    from exposures
),

final as (
    select
        {{ dbt.concat([
            "brand_account_id", "'|'", "platform", "'|'",
            "cast(exposure_date as " ~ dbt.type_string() ~ ")",
        ]) }} as funnel_day_id,
        brand_account_id,
        brand_name,
        industry,
        platform,
        cast(count(*) as {{ dbt.type_bigint() }}) as reach_users,
        cast(sum(case when is_engaged_stage then 1 else 0 end) as {{ dbt.type_bigint() }})
            as engaged_users,
        cast(sum(case when is_link_click_stage then 1 else 0 end) as {{ dbt.type_bigint() }})
            as link_click_users,
        cast(
            case
                when platform = 'taobao'
                    then sum(case when is_store_entry_stage then 1 else 0 end)
            end as {{ dbt.type_bigint() }}
        ) as store_entry_users,
        cast(sum(case when is_buyer_stage then 1 else 0 end) as {{ dbt.type_bigint() }})
            as buyers,
        cast(sum(case when is_buyer_stage then link_orders else 0 end) as {{ dbt.type_bigint() }})
            as orders,
        cast(sum(case when is_buyer_stage then link_gmv_cny else 0 end) as {{ type_money() }})
            as gmv_cny,
        exposure_date as local_date
    from staged_exposures
    group by
        brand_account_id,
        brand_name,
        industry,
        platform,
        exposure_date
)

select * from final
