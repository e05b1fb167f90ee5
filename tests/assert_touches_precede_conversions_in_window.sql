{#- Every counted touch comes before its order and inside its window (clicks
    var('click_lookback_days') days, views var('view_lookback_hours') hours),
    no view is counted for an order that has a click, and the note's brand
    owns the order's shop on the order's local date. Returns the offending
    touches. -#}
with

touches as (
    select
        touch_id,
        conversion_id,
        platform,
        shop_id,
        brand_account_id,
        touch_kind,
        order_date,
        ordered_at,
        event_at
    from {{ ref('int_touchpoints_joined_to_orders') }}
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

orders_with_click as (
    select distinct conversion_id
    from touches
    where touch_kind = 'click'
),

linked_touches as (
    select distinct touches.touch_id
    from touches
    inner join shop_links
        on
            touches.platform = shop_links.platform
            and touches.shop_id = shop_links.shop_id
            and touches.brand_account_id = shop_links.xhs_brand_account_id
            and touches.order_date >= shop_links.valid_from
            and touches.order_date <= shop_links.valid_through
),

final as (
    select touches.*
    from touches
    left join orders_with_click
        on touches.conversion_id = orders_with_click.conversion_id
    left join linked_touches
        on touches.touch_id = linked_touches.touch_id
    where
        touches.event_at >= touches.ordered_at
        or (
            touches.touch_kind = 'click'
            and touches.event_at < {{ dbt.dateadd(
                'day', -1 * var('click_lookback_days'), 'touches.ordered_at'
            ) }}
        )
        or (
            touches.touch_kind = 'view'
            and touches.event_at < {{ dbt.dateadd(
                'hour', -1 * var('view_lookback_hours'), 'touches.ordered_at'
            ) }}
        )
        or (touches.touch_kind = 'view' and orders_with_click.conversion_id is not null)
        or linked_touches.touch_id is null
)

select * from final
