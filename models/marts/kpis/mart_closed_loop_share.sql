with

periods as (
    select
        period_id,
        period_type,
        period_name,
        is_complete,
        period_start,
        period_end
    from {{ ref('int_periods_enumerated') }}
),

shop_orders as (
    select
        gmv_cny,
        ordered_date
    from {{ ref('stg_xhs__shop_orders') }}
),

credits as (
    select
        platform,
        attribution_model,
        attributed_gmv_cny,
        order_date
    from {{ ref('int_attribution_credits_computed') }}
),

attribution_models as (
    {{ attribution_models_relation() }}
),

period_shop_gmv as (
    select
        periods.period_id,
        sum(shop_orders.gmv_cny) as xhs_shop_gmv_cny
    from periods
    inner join shop_orders
        on
            periods.period_start <= shop_orders.ordered_date
            and periods.period_end >= shop_orders.ordered_date
    group by periods.period_id
),

period_attributed_gmv as (
    select
        periods.period_id,
        credits.attribution_model,
        sum(case when credits.platform = 'taobao' then credits.attributed_gmv_cny else 0 end)
            as attributed_taobao_gmv_cny,
        sum(case when credits.platform = 'jd' then credits.attributed_gmv_cny else 0 end)
            as attributed_jd_gmv_cny
    from periods
    inner join credits
        on
            periods.period_start <= credits.order_date
            and periods.period_end >= credits.order_date
    group by
        periods.period_id,
        credits.attribution_model
),

combined as (
    select
        periods.period_id,
        periods.period_type,
        periods.period_name,
        attribution_models.attribution_model,
        periods.is_complete,
        periods.period_start,
        periods.period_end,
        coalesce(period_shop_gmv.xhs_shop_gmv_cny, 0) as xhs_shop_gmv_cny,
        coalesce(period_attributed_gmv.attributed_taobao_gmv_cny, 0) as attributed_taobao_gmv_cny,
        coalesce(period_attributed_gmv.attributed_jd_gmv_cny, 0) as attributed_jd_gmv_cny
    from periods
    cross join attribution_models
    left join period_shop_gmv
        on periods.period_id = period_shop_gmv.period_id
    left join period_attributed_gmv
        on
            periods.period_id = period_attributed_gmv.period_id
            and attribution_models.attribution_model = period_attributed_gmv.attribution_model
),

final as (
    select
        {{ dbt.concat(["period_id", "'|'", "attribution_model"]) }} as period_model_id,
        period_type,
        period_name,
        attribution_model,
        cast(xhs_shop_gmv_cny as {{ type_money() }}) as xhs_shop_gmv_cny,
        cast(attributed_taobao_gmv_cny as {{ type_money() }}) as attributed_taobao_gmv_cny,
        cast(attributed_jd_gmv_cny as {{ type_money() }}) as attributed_jd_gmv_cny,
        cast(attributed_taobao_gmv_cny + attributed_jd_gmv_cny as {{ type_money() }})
            as attributed_gmv_cny,
        {{ safe_divide(
            'xhs_shop_gmv_cny',
            'xhs_shop_gmv_cny + attributed_taobao_gmv_cny + attributed_jd_gmv_cny',
        ) }} as closed_loop_share,
        is_complete,
        period_start,
        period_end
    from combined
)

select * from final
