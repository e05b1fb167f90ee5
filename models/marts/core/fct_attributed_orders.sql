{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **daily_partitioned_incremental('order_date', 'attribution_credit_id'),
) }}

with

credits as (
    select
        attribution_credit_id,
        conversion_id,
        platform,
        order_id,
        attribution_model,
        note_id,
        brand_account_id,
        brand_name,
        credit,
        attributed_gmv_cny,
        attributed_net_gmv_cny,
        gmv_cny,
        touches,
        is_direct_link_path,
        order_date,
        ordered_at,
        first_touch_at,
        last_touch_at
    from {{ ref('int_attribution_credits_computed') }}
    where {{ in_partition_window('order_date') }}
),

final as (
    select
        attribution_credit_id,
        conversion_id,
        platform,
        order_id,
        attribution_model,
        note_id,
        brand_account_id,
        brand_name,
        cast(credit as {{ type_credit() }}) as credit,
        cast(attributed_gmv_cny as {{ type_money() }}) as attributed_gmv_cny,
        cast(attributed_net_gmv_cny as {{ type_money() }}) as attributed_net_gmv_cny,
        cast(gmv_cny as {{ type_money() }}) as order_gmv_cny,
        cast(touches as {{ dbt.type_bigint() }}) as touches,
        is_direct_link_path,
        order_date,
        ordered_at,
        first_touch_at,
        last_touch_at
    from credits
)

select * from final
