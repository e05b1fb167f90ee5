{#- The shared-account join: each eligible conversion with the touches of the
    same xhs user on the notes of the brand that owns the order's shop on the
    order's local date.

    Windows (before the order, start inclusive): click touches in the
    var('click_lookback_days') days before the order, view touches in the
    var('view_lookback_hours') hours before it. View touches count only for an
    order that has no click touch in its window (clicks outrank views).

    A touch is on the direct link path when the buyer came through the link
    under that note: a tb visit with channel xhs_ad_link to the order's shop
    referring that note within the click window, or a jd order whose
    source_note_id is that note. -#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **daily_partitioned_incremental('order_date', 'touch_id'),
) }}

with

conversions as (
    select
        conversion_id,
        platform,
        order_id,
        buyer_key,
        xhs_user_key,
        shop_id,
        xhs_brand_account_id,
        source_note_id,
        brand_name,
        gmv_cny,
        net_gmv_cny,
        order_date,
        ordered_at
    from {{ ref('int_conversions_unified') }}
    where
        is_eligible
        and {{ in_partition_window('order_date') }}
),

touchpoints as (
    select
        event_id,
        note_id,
        xhs_user_key,
        brand_account_id,
        event_type,
        touch_kind,
        event_at
    from {{ ref('int_touchpoints_classified') }}
    where {{ in_partition_window('event_date', extra_days=partition_lookback_days()) }}
),

link_visits as (
    select
        buyer_key,
        shop_id,
        ref_note_id,
        visited_at
    from {{ ref('stg_tb__visits') }}
    where
        channel = 'xhs_ad_link'
        and {{ in_partition_window('visited_date', extra_days=partition_lookback_days()) }}
),

touches_in_window as (
    select
        conversions.conversion_id,
        conversions.platform,
        conversions.order_id,
        conversions.buyer_key,
        conversions.xhs_user_key,
        conversions.shop_id,
        conversions.xhs_brand_account_id,
        conversions.source_note_id,
        conversions.brand_name,
        conversions.gmv_cny,
        conversions.net_gmv_cny,
        conversions.order_date,
        conversions.ordered_at,
        touchpoints.event_id,
        touchpoints.note_id,
        touchpoints.event_type,
        touchpoints.touch_kind,
        touchpoints.event_at
    from conversions
    inner join touchpoints
        on
            conversions.xhs_user_key = touchpoints.xhs_user_key
            and conversions.xhs_brand_account_id = touchpoints.brand_account_id
            and conversions.ordered_at > touchpoints.event_at
            and case touchpoints.touch_kind
                when 'click' then {{ dbt.dateadd(
                    'day', -1 * var('click_lookback_days'), 'conversions.ordered_at'
                ) }}
                else {{ dbt.dateadd(
                    'hour', -1 * var('view_lookback_hours'), 'conversions.ordered_at'
                ) }}
            end <= touchpoints.event_at
),

orders_with_click as (
    select distinct conversion_id
    from touches_in_window
    where touch_kind = 'click'
),

counted_touches as (
    select touches_in_window.*
    from touches_in_window
    left join orders_with_click
        on touches_in_window.conversion_id = orders_with_click.conversion_id
    where
        touches_in_window.touch_kind = 'click'
        or orders_with_click.conversion_id is null
),

ranked_touches as (
    select
        *,
        row_number() over (
            partition by conversion_id
            order by event_at asc, event_id asc
        ) as touch_rank,
        count(*) over (partition by conversion_id) as touch_count
    from counted_touches
),

taobao_link_paths as (
    select distinct
        ranked_touches.conversion_id,
        ranked_touches.note_id
    from ranked_touches
    inner join link_visits
        on
            ranked_touches.buyer_key = link_visits.buyer_key
            and ranked_touches.shop_id = link_visits.shop_id
            and ranked_touches.note_id = link_visits.ref_note_id
            and ranked_touches.ordered_at >= link_visits.visited_at
            and {{ dbt.dateadd(
                'day', -1 * var('click_lookback_days'), 'ranked_touches.ordered_at'
            ) }} <= link_visits.visited_at
    where ranked_touches.platform = 'taobao'
),

final as (
    select
        {{ dbt.concat(["ranked_touches.conversion_id", "'|'", "ranked_touches.event_id"]) }}
            as touch_id,
        ranked_touches.conversion_id,
        ranked_touches.platform,
        ranked_touches.order_id,
        ranked_touches.event_id,
        ranked_touches.note_id,
        ranked_touches.xhs_user_key,
        ranked_touches.shop_id,
        ranked_touches.xhs_brand_account_id as brand_account_id,
        ranked_touches.brand_name,
        ranked_touches.event_type,
        ranked_touches.touch_kind,
        cast(ranked_touches.touch_rank as {{ dbt.type_bigint() }}) as touch_rank,
        cast(ranked_touches.touch_count as {{ dbt.type_bigint() }}) as touch_count,
        cast(
            {{ hours_between('ranked_touches.event_at', 'ranked_touches.ordered_at') }}
            as {{ type_ratio() }}
        ) as hours_before_order,
        ranked_touches.gmv_cny,
        ranked_touches.net_gmv_cny,
        coalesce(
            taobao_link_paths.conversion_id is not null
            or (
                ranked_touches.platform = 'jd'
                and ranked_touches.source_note_id = ranked_touches.note_id
            ),
            false
        ) as is_direct_link_path,
        ranked_touches.order_date,
        ranked_touches.ordered_at,
        ranked_touches.event_at
    from ranked_touches
    left join taobao_link_paths
        on
            ranked_touches.conversion_id = taobao_link_paths.conversion_id
            and ranked_touches.note_id = taobao_link_paths.note_id
)

select * from final
