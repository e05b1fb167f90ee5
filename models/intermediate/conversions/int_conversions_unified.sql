{#- Every tb and jd order line that is not cancelled, with its brand (through
    the tri-party link in force on the order's local date), its matched xhs
    user and whether it can be attributed.

    Incremental by order day: a partition run rebuilds the orders of its
    window; whether an order is the buyer's first in the shop then also asks
    the orders before the window (one scan of their shop and buyer keys). -#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **daily_partitioned_incremental('order_date', 'conversion_id'),
) }}

with

tb_orders as (
    select
        order_id,
        buyer_key,
        shop_id,
        paid_cny,
        is_cancelled,
        is_refunded,
        paid_date,
        paid_at
    from {{ ref('stg_tb__orders') }}
    where {{ in_partition_window('paid_date') }}
),

jd_orders as (
    select
        order_id,
        pin_hash,
        vender_id,
        source_note_id,
        paid_cny,
        is_cancelled,
        is_refunded,
        ordered_date,
        ordered_at
    from {{ ref('stg_jd__orders') }}
    where {{ in_partition_window('ordered_date') }}
),

tb_shops as (
    select
        shop_id,
        brand_name,
        industry
    from {{ ref('stg_tb__shops') }}
),

jd_shops as (
    select
        vender_id,
        brand_name,
        industry
    from {{ ref('stg_jd__shops') }}
),

shop_links as (
    select
        platform,
        shop_id,
        xhs_brand_account_id,
        brand_name,
        brand_industry,
        valid_from,
        valid_through
    from {{ ref('int_shop_links_resolved') }}
),

days as (
    select date_day
    from {{ ref('int_days_spined') }}
),

user_matches as (
    select
        xhs_user_key,
        platform,
        platform_user_key
    from {{ ref('int_user_matches_resolved') }}
),

tb_conversions as (
    select
        'taobao' as platform,
        tb_orders.order_id,
        tb_orders.buyer_key,
        tb_orders.shop_id,
        cast(null as {{ dbt.type_string() }}) as source_note_id,
        tb_shops.brand_name as shop_brand_name,
        tb_shops.industry as shop_industry,
        tb_orders.paid_cny as gmv_cny,
        tb_orders.is_refunded,
        tb_orders.paid_date as order_date,
        tb_orders.paid_at as ordered_at
    from tb_orders
    left join tb_shops
        on tb_orders.shop_id = tb_shops.shop_id
    where not tb_orders.is_cancelled
),

jd_conversions as (
    select
        'jd' as platform,
        jd_orders.order_id,
        jd_orders.pin_hash as buyer_key,
        jd_orders.vender_id as shop_id,
        jd_orders.source_note_id,
        jd_shops.brand_name as shop_brand_name,
        jd_shops.industry as shop_industry,
        jd_orders.paid_cny as gmv_cny,
        jd_orders.is_refunded,
        jd_orders.ordered_date as order_date,
        jd_orders.ordered_at
    from jd_orders
    left join jd_shops
        on jd_orders.vender_id = jd_shops.vender_id
    where not jd_orders.is_cancelled
),

conversions as (
    select * from tb_conversions
    union all
    select * from jd_conversions
),

-- the link in force on each day for each shop; should validity periods of
-- two brands ever overlap, the most recent one wins so an order keeps one
-- brand. Ranked once per shop and calendar day (the calendar covers every
-- order's day), not once per order.
shop_day_links as (
    select
        shop_links.platform,
        shop_links.shop_id,
        days.date_day,
        shop_links.xhs_brand_account_id,
        shop_links.brand_name,
        shop_links.brand_industry,
        row_number() over (
            partition by shop_links.platform, shop_links.shop_id, days.date_day
            order by shop_links.valid_from desc, shop_links.xhs_brand_account_id asc
        ) as link_rank
    from shop_links
    inner join days
        on
            shop_links.valid_from <= days.date_day
            and shop_links.valid_through >= days.date_day
),

linked_conversions as (
    select
        conversions.*,
        shop_day_links.xhs_brand_account_id,
        shop_day_links.brand_name as linked_brand_name,
        shop_day_links.brand_industry
    from conversions
    left join shop_day_links
        on
            conversions.platform = shop_day_links.platform
            and conversions.shop_id = shop_day_links.shop_id
            and conversions.order_date = shop_day_links.date_day
            and shop_day_links.link_rank = 1
),

matched_conversions as (
    select
        linked_conversions.*,
        user_matches.xhs_user_key
    from linked_conversions
    left join user_matches
        on
            linked_conversions.platform = user_matches.platform
            and linked_conversions.buyer_key = user_matches.platform_user_key
),

{%- if is_partition_run() %}

-- the buyers who ordered in the shop before the window
earlier_buyers as (
    select distinct
        'taobao' as platform,
        shop_id,
        buyer_key
    from {{ ref('stg_tb__orders') }}
    where
        not is_cancelled
        and paid_date < {{ partition_window_start() }}
    union all
    select distinct
        'jd' as platform,
        vender_id as shop_id,
        pin_hash as buyer_key
    from {{ ref('stg_jd__orders') }}
    where
        not is_cancelled
        and ordered_date < {{ partition_window_start() }}
),
{%- endif %}

first_orders as (
    select
        matched_conversions.*,
        row_number() over (
            partition by
                matched_conversions.platform,
                matched_conversions.shop_id,
                matched_conversions.buyer_key
            order by matched_conversions.ordered_at asc, matched_conversions.order_id asc
        ) as buyer_shop_order_number,
        {% if is_partition_run() -%}
            earlier_buyers.buyer_key is not null
        {%- else -%}
            false
        {%- endif %} as has_earlier_order
    from matched_conversions
    {%- if is_partition_run() %}
    left join earlier_buyers
        on
            matched_conversions.platform = earlier_buyers.platform
            and matched_conversions.shop_id = earlier_buyers.shop_id
            and matched_conversions.buyer_key = earlier_buyers.buyer_key
    {%- endif %}
),

final as (
    select
        {{ dbt.concat(["platform", "'|'", "order_id"]) }} as conversion_id,
        platform,
        order_id,
        buyer_key,
        xhs_user_key,
        shop_id,
        xhs_brand_account_id,
        source_note_id,
        coalesce(linked_brand_name, shop_brand_name) as brand_name,
        coalesce(brand_industry, shop_industry) as industry,
        gmv_cny,
        cast(case when is_refunded then 0 else gmv_cny end as {{ type_money() }}) as net_gmv_cny,
        is_refunded,
        xhs_brand_account_id is not null as is_shop_linked,
        xhs_user_key is not null as is_buyer_matched,
        xhs_brand_account_id is not null and xhs_user_key is not null as is_eligible,
        buyer_shop_order_number = 1 and not has_earlier_order as is_first_order_in_shop,
        order_date,
        ordered_at
    from first_orders
)

select * from final
