{#- fct_conversions holds exactly the non-cancelled tb and jd order lines:
    per platform, its order lines and GMV equal those of the staging orders
    that are not cancelled. Returns the platforms that differ. -#}
with

tb_orders as (
    select
        'taobao' as platform,
        count(*) as order_lines,
        coalesce(sum(paid_cny), 0) as gmv_cny
    from {{ ref('stg_tb__orders') }}
    where not is_cancelled
),

jd_orders as (
    select
        'jd' as platform,
        count(*) as order_lines,
        coalesce(sum(paid_cny), 0) as gmv_cny
    from {{ ref('stg_jd__orders') }}
    where not is_cancelled
),

platform_totals as (
    select * from tb_orders
    union all
    select * from jd_orders
),

conversion_totals as (
    select
        platform,
        count(*) as order_lines,
        sum(gmv_cny) as gmv_cny
    from {{ ref('fct_conversions') }}
    group by platform
),

final as (
    select
        platform_totals.platform,
        platform_totals.order_lines as platform_order_lines,
        platform_totals.gmv_cny as platform_gmv_cny,
        coalesce(conversion_totals.order_lines, 0) as conversion_order_lines,
        coalesce(conversion_totals.gmv_cny, 0) as conversion_gmv_cny
    from platform_totals
    left join conversion_totals
        on platform_totals.platform = conversion_totals.platform
    where
        platform_totals.order_lines <> coalesce(conversion_totals.order_lines, 0)
        or platform_totals.gmv_cny <> coalesce(conversion_totals.gmv_cny, 0)
)

select * from final
