{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **daily_partitioned_incremental('order_date', 'conversion_id'),
) }}

with

conversions as (
    select
        conversion_id,
        platform,
        order_id,
        shop_id,
        xhs_brand_account_id,
        brand_name,
        industry,
        gmv_cny,
        net_gmv_cny,
        is_refunded,
        is_shop_linked,
        is_buyer_matched,
        is_eligible,
        is_first_order_in_shop,
        order_date,
        ordered_at
    from {{ ref('int_conversions_unified') }}
    where {{ in_partition_window('order_date') }}
),

attributed_orders as (
    select distinct conversion_id
    from {{ ref('int_attribution_credits_computed') }}
    where {{ in_partition_window('order_date') }}
),

direct_link_orders as (
    select distinct conversion_id
    from {{ ref('int_touchpoints_joined_to_orders') }}
    where
        is_direct_link_path
        and {{ in_partition_window('order_date') }}
),

final as (
    select
        conversions.conversion_id,
        conversions.platform,
        conversions.order_id,
        conversions.shop_id,
        conversions.xhs_brand_account_id as brand_account_id,
        conversions.brand_name,
        conversions.industry,
        cast(conversions.gmv_cny as {{ type_money() }}) as gmv_cny,
        cast(conversions.net_gmv_cny as {{ type_money() }}) as net_gmv_cny,
        conversions.is_refunded,
        conversions.is_shop_linked,
        conversions.is_buyer_matched,
        conversions.is_eligible,
        attributed_orders.conversion_id is not null as is_attributed,
        direct_link_orders.conversion_id is not null as has_direct_link_path,
        conversions.is_first_order_in_shop,
        conversions.order_date,
        conversions.ordered_at
    from conversions
    left join attributed_orders
        on conversions.conversion_id = attributed_orders.conversion_id
    left join direct_link_orders
        on conversions.conversion_id = direct_link_orders.conversion_id
)

select * from final
