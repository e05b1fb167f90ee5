{#- A brand exposure: an xhs user matched on a shop platform who saw (had an
    impression of) a brand's notes on a local day, followed into the brand's
    shop on that platform. Each later stage is a subset of the one before:
    engaged (a click touch on the brand's notes that day) → link click (on a
    note whose link leads to this platform) → store entry (tb: a visit to the
    brand's shop) → buyer (an order in the brand's shop).

    A store entry or order after a link click belongs to the latest exposure
    day whose link click came at most var('click_lookback_days') before it, so
    summing days never counts it twice. Separately, has_store_entry_after_impression
    says whether the user entered the brand's tb shop within the lookback after
    an impression that day (the store-entry rate).

    Incremental by exposure day: a new touch can take a store entry or an
    order from an exposure up to var('click_lookback_days') before it, so a
    partition run rebuilds that many days more than the window (from the
    partition's start minus two lookbacks). It reads the touches, visits and
    orders of those days and of the lookback after the window's last day (the
    later exposures that outrank one of the window's for a visit or order). -#}
{%- set claim_days = var('click_lookback_days') | int -%}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **daily_partitioned_incremental('exposure_date', 'exposure_id', extra_days=claim_days),
) }}

with

touchpoints as (
    select
        xhs_user_key,
        brand_account_id,
        link_platform,
        event_type,
        touch_kind,
        event_date,
        event_at
    from {{ ref('int_touchpoints_classified') }}
    where {{ in_partition_window('event_date', extra_days=claim_days, days_after=claim_days) }}
),

brands as (
    select
        brand_account_id,
        brand_name,
        industry
    from {{ ref('int_brands_resolved') }}
),

user_matches as (
    select
        xhs_user_key,
        platform,
        platform_user_key
    from {{ ref('int_user_matches_resolved') }}
),

shop_links as (
    select
        platform,
        shop_id,
        xhs_brand_account_id,
        valid_from,
        valid_through
    from {{ ref('int_shop_links_resolved') }}
),

-- only matched users have exposures (the inner join in exposures): their
-- touches alone are grouped
matched_users as (
    select distinct xhs_user_key
    from user_matches
),

matched_touchpoints as (
    select touchpoints.*
    from touchpoints
    inner join matched_users
        on touchpoints.xhs_user_key = matched_users.xhs_user_key
),

days as (
    select date_day
    from {{ ref('int_days_spined') }}
),

store_visits as (
    select
        visit_id,
        buyer_key,
        shop_id,
        visited_at
    from {{ ref('stg_tb__visits') }}
    where {{ in_partition_window('visited_date', extra_days=claim_days, days_after=claim_days) }}
),

conversions as (
    select
        conversion_id,
        platform,
        buyer_key,
        shop_id,
        gmv_cny,
        ordered_at
    from {{ ref('int_conversions_unified') }}
    where {{ in_partition_window('order_date', extra_days=claim_days, days_after=claim_days) }}
),

user_brand_days as (
    select
        xhs_user_key,
        brand_account_id,
        event_date as exposure_date,
        min(case when event_type = 'impression' then event_at end) as first_impression_at,
        max(case when event_type = 'impression' then event_at end) as last_impression_at,
        max(case when touch_kind = 'click' then 1 else 0 end) as engaged_flag,
        min(
            case when event_type = 'link_click' and link_platform = 'taobao' then event_at end
        ) as first_taobao_link_click_at,
        max(
            case when event_type = 'link_click' and link_platform = 'taobao' then event_at end
        ) as last_taobao_link_click_at,
        min(
            case when event_type = 'link_click' and link_platform = 'jd' then event_at end
        ) as first_jd_link_click_at,
        max(
            case when event_type = 'link_click' and link_platform = 'jd' then event_at end
        ) as last_jd_link_click_at
    from matched_touchpoints
    group by
        xhs_user_key,
        brand_account_id,
        event_date
),

exposures as (
    select
        user_brand_days.xhs_user_key,
        user_brand_days.brand_account_id,
        user_matches.platform,
        user_matches.platform_user_key,
        user_brand_days.exposure_date,
        user_brand_days.first_impression_at,
        user_brand_days.last_impression_at,
        user_brand_days.engaged_flag = 1 as is_engaged,
        case user_matches.platform
            when 'taobao' then user_brand_days.first_taobao_link_click_at
            when 'jd' then user_brand_days.first_jd_link_click_at
        end as first_link_click_at,
        case user_matches.platform
            when 'taobao' then user_brand_days.last_taobao_link_click_at
            when 'jd' then user_brand_days.last_jd_link_click_at
        end as last_link_click_at
    from user_brand_days
    inner join user_matches
        on user_brand_days.xhs_user_key = user_matches.xhs_user_key
    where user_brand_days.first_impression_at is not null
),

-- the shop of a brand on a platform for each day: of the links in force that
-- day, the one in force from the latest day (then the lowest shop id); ranked
-- once per brand and calendar day (the calendar covers every touch's day), not
-- once per exposure
brand_day_shops as (
    select
        shop_links.platform,
        shop_links.xhs_brand_account_id,
        days.date_day,
        shop_links.shop_id,
        row_number() over (
            partition by shop_links.platform, shop_links.xhs_brand_account_id, days.date_day
            order by shop_links.valid_from desc, shop_links.shop_id asc
        ) as shop_rank
    from shop_links
    inner join days
        on
            shop_links.valid_from <= days.date_day
            and shop_links.valid_through >= days.date_day
),

exposure_shops as (
    select
        exposures.*,
        brand_day_shops.shop_id
    from exposures
    left join brand_day_shops
        on
            exposures.platform = brand_day_shops.platform
            and exposures.brand_account_id = brand_day_shops.xhs_brand_account_id
            and exposures.exposure_date = brand_day_shops.date_day
            and brand_day_shops.shop_rank = 1
),

linked_exposures as (
    select
        {{ dbt.concat([
            "platform", "'|'", "brand_account_id", "'|'", "xhs_user_key", "'|'",
            "cast(exposure_date as " ~ dbt.type_string() ~ ")",
        ]) }} as exposure_id,
        xhs_user_key,
        platform_user_key,
        brand_account_id,
        platform,
        shop_id,
        is_engaged,
        exposure_date,
        first_impression_at,
        last_impression_at,
        first_link_click_at,
        last_link_click_at
    from exposure_shops
),

impression_store_entries as (
    select distinct linked_exposures.exposure_id
    from linked_exposures
    inner join store_visits
        on
            linked_exposures.platform_user_key = store_visits.buyer_key
            and linked_exposures.shop_id = store_visits.shop_id
            and linked_exposures.first_impression_at <= store_visits.visited_at
            and {{ dbt.dateadd(
                'day', var('click_lookback_days'), 'linked_exposures.last_impression_at'
            ) }} >= store_visits.visited_at
    where linked_exposures.platform = 'taobao'
),

link_click_exposures as (
    select
        exposure_id,
        platform,
        platform_user_key,
        shop_id,
        exposure_date,
        first_link_click_at,
        last_link_click_at
    from linked_exposures
    where
        first_link_click_at is not null
        and shop_id is not null
),

ranked_link_store_entries as (
    select
        link_click_exposures.exposure_id,
        store_visits.visit_id,
        row_number() over (
            partition by store_visits.visit_id
            order by link_click_exposures.exposure_date desc, link_click_exposures.exposure_id asc
        ) as exposure_rank
    from link_click_exposures
    inner join store_visits
        on
            link_click_exposures.platform_user_key = store_visits.buyer_key
            and link_click_exposures.shop_id = store_visits.shop_id
            and link_click_exposures.first_link_click_at <= store_visits.visited_at
            and {{ dbt.dateadd(
                'day', var('click_lookback_days'), 'link_click_exposures.last_link_click_at'
            ) }} >= store_visits.visited_at
    where link_click_exposures.platform = 'taobao'
),

link_store_entries as (
    select distinct exposure_id
    from ranked_link_store_entries
    where exposure_rank = 1
),

ranked_link_orders as (
    select
        link_click_exposures.exposure_id,
        conversions.conversion_id,
        conversions.gmv_cny,
        row_number() over (
            partition by conversions.conversion_id
            order by link_click_exposures.exposure_date desc, link_click_exposures.exposure_id asc
        ) as exposure_rank
    from link_click_exposures
    left join link_store_entries
        on link_click_exposures.exposure_id = link_store_entries.exposure_id
    inner join conversions
        on
            link_click_exposures.platform = conversions.platform
            and link_click_exposures.platform_user_key = conversions.buyer_key
            and link_click_exposures.shop_id = conversions.shop_id
            and link_click_exposures.first_link_click_at <= conversions.ordered_at
            and {{ dbt.dateadd(
                'day', var('click_lookback_days'), 'link_click_exposures.last_link_click_at'
            ) }} >= conversions.ordered_at
    where
        link_click_exposures.platform = 'jd'
        or link_store_entries.exposure_id is not null
),

link_orders as (
    select
        exposure_id,
        count(*) as orders,
        sum(gmv_cny) as gmv_cny
    from ranked_link_orders
    where exposure_rank = 1
    group by exposure_id
),

final as (
    select
        linked_exposures.exposure_id,
        linked_exposures.xhs_user_key,
        linked_exposures.platform_user_key,
        linked_exposures.brand_account_id,
        brands.brand_name,
        brands.industry,
        linked_exposures.platform,
        linked_exposures.shop_id,
        cast(coalesce(link_orders.orders, 0) as {{ dbt.type_bigint() }}) as link_orders,
        cast(coalesce(link_orders.gmv_cny, 0) as {{ type_money() }}) as link_gmv_cny,
        linked_exposures.is_engaged,
        linked_exposures.first_link_click_at is not null as has_link_click,
        case
            when linked_exposures.platform = 'taobao'
                then impression_store_entries.exposure_id is not null
        end as has_store_entry_after_impression,
        case
            when linked_exposures.platform = 'taobao'
                then link_store_entries.exposure_id is not null
        end as has_store_entry_after_link_click,
        link_orders.exposure_id is not null as is_buyer,
        linked_exposures.exposure_date,
        linked_exposures.first_impression_at,
        linked_exposures.last_impression_at,
        linked_exposures.first_link_click_at,
        linked_exposures.last_link_click_at
    from linked_exposures
    left join brands
        on linked_exposures.brand_account_id = brands.brand_account_id
    left join impression_store_entries
        on linked_exposures.exposure_id = impression_store_entries.exposure_id
    left join link_store_entries
        on linked_exposures.exposure_id = link_store_entries.exposure_id
    left join link_orders
        on linked_exposures.exposure_id = link_orders.exposure_id
    where {{ in_partition_window('linked_exposures.exposure_date', extra_days=claim_days) }}
)

select * from final
