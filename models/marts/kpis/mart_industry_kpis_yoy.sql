with

periods as (
    select
        period_id,
        period_type,
        period_name,
        is_complete,
        period_start,
        period_end,
        prior_period_start,
        prior_period_end
    from {{ ref('int_periods_enumerated') }}
),

measured as (
    select
        period_id,
        industry,
        window_kind,
        impressions,
        reads,
        interactions,
        exposed_user_brands,
        entered_user_brands,
        store_entry_base_users,
        store_entry_users,
        joint_merchant_days,
        covered_days
    from {{ ref('int_industry_periods_measured') }}
),

this_year as (
    select *
    from measured
    where window_kind = 'current'
),

last_year as (
    select *
    from measured
    where window_kind = 'prior'
),

rates as (
    select
        this_year.period_id,
        this_year.industry,
        this_year.impressions,
        this_year.reads,
        this_year.interactions,
        this_year.exposed_user_brands,
        this_year.entered_user_brands,
        this_year.store_entry_base_users,
        this_year.store_entry_users,
        this_year.covered_days,
        last_year.covered_days as last_year_covered_days,
        {{ safe_divide('this_year.reads', 'this_year.impressions') }} as ctr,
        {{ safe_divide('last_year.reads', 'last_year.impressions') }} as ctr_last_year,
        {{ safe_divide('this_year.interactions', 'this_year.impressions') }} as interaction_rate,
        {{ safe_divide('last_year.interactions', 'last_year.impressions') }}
            as interaction_rate_last_year,
        {{ safe_divide('this_year.entered_user_brands', 'this_year.exposed_user_brands') }}
            as store_entry_rate,
        {{ safe_divide('last_year.entered_user_brands', 'last_year.exposed_user_brands') }}
            as store_entry_rate_last_year,
        {{ safe_divide('this_year.joint_merchant_days', 'this_year.covered_days') }}
            as joint_merchants_avg,
        {{ safe_divide('last_year.joint_merchant_days', 'last_year.covered_days') }}
            as joint_merchants_avg_last_year,
        {{ is_below_privacy_floor('this_year.store_entry_base_users') }} as is_suppressed,
        {{ is_below_privacy_floor('last_year.store_entry_base_users') }}
            as is_last_year_suppressed
    from this_year
    inner join last_year
        on
            this_year.period_id = last_year.period_id
            and this_year.industry = last_year.industry
),

final as (
    select
        {{ dbt.concat(["rates.industry", "'|'", "rates.period_id"]) }} as industry_period_id,
        rates.industry,
        periods.period_type,
        periods.period_name,
        cast(rates.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(rates.reads as {{ dbt.type_bigint() }}) as reads,
        cast(rates.interactions as {{ dbt.type_bigint() }}) as interactions,
        cast(
            {{ suppress_if('rates.is_suppressed', 'rates.store_entry_base_users') }}
            as {{ dbt.type_bigint() }}
        ) as store_entry_base_users,
        cast(
            {{ suppress_if('rates.is_suppressed', 'rates.store_entry_users') }}
            as {{ dbt.type_bigint() }}
        ) as store_entry_users,
        cast(
            {{ suppress_if('rates.is_suppressed', 'rates.exposed_user_brands') }}
            as {{ dbt.type_bigint() }}
        ) as exposed_user_brands,
        cast(
            {{ suppress_if('rates.is_suppressed', 'rates.entered_user_brands') }}
            as {{ dbt.type_bigint() }}
        ) as entered_user_brands,
        cast(rates.covered_days as {{ dbt.type_bigint() }}) as covered_days,
        cast(rates.last_year_covered_days as {{ dbt.type_bigint() }}) as last_year_covered_days,
        rates.ctr,
        rates.ctr_last_year,
        {{ year_on_year_change('rates.ctr', 'rates.ctr_last_year') }} as ctr_yoy,
        rates.interaction_rate,
        rates.interaction_rate_last_year,
        {{ year_on_year_change('rates.interaction_rate', 'rates.interaction_rate_last_year') }}
            as interaction_rate_yoy,
        {{ suppress_if('rates.is_suppressed', 'rates.store_entry_rate') }} as store_entry_rate,
        {{ suppress_if(
            'rates.is_suppressed or rates.is_last_year_suppressed',
            'rates.store_entry_rate_last_year',
        ) }} as store_entry_rate_last_year,
        {{ suppress_if(
            'rates.is_suppressed or rates.is_last_year_suppressed',
            year_on_year_change('rates.store_entry_rate', 'rates.store_entry_rate_last_year'),
        ) }} as store_entry_rate_yoy,
        rates.joint_merchants_avg,
        rates.joint_merchants_avg_last_year,
        {{ year_on_year_change('rates.joint_merchants_avg', 'rates.joint_merchants_avg_last_year') }}
            as joint_merchants_avg_yoy,
        periods.is_complete,
        rates.is_suppressed,
        periods.period_start,
        periods.period_end,
        periods.prior_period_start as last_year_period_start,
        periods.prior_period_end as last_year_period_end
    from rates
    inner join periods
        on rates.period_id = periods.period_id
)

select * from final
