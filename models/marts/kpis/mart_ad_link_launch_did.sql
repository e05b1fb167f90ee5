with

cells as (
    select
        cohort,
        launch_period,
        brands,
        brand_days,
        distinct_users,
        exposed_user_days,
        store_entry_user_days,
        window_start,
        window_end
    from {{ ref('int_ad_link_launch_cells_measured') }}
),

treated_cohorts as (
    {{ values_relation(ad_link_pilot_industries() + ['pilot'], 'treated_cohort') }}
),

cell_rates as (
    select
        *,
        {{ safe_divide('store_entry_user_days', 'exposed_user_days') }} as store_entry_rate
    from cells
),

paired as (
    select
        treated_cohorts.treated_cohort,
        treated_before.store_entry_rate as treated_before_rate,
        treated_after.store_entry_rate as treated_after_rate,
        control_before.store_entry_rate as control_before_rate,
        control_after.store_entry_rate as control_after_rate,
        coalesce(treated_before.brand_days, 0) + coalesce(treated_after.brand_days, 0)
            as treated_brand_days,
        coalesce(control_before.brand_days, 0) + coalesce(control_after.brand_days, 0)
            as control_brand_days,
        {{ is_below_privacy_floor('treated_before.distinct_users') }}
        or {{ is_below_privacy_floor('treated_after.distinct_users') }}
        or {{ is_below_privacy_floor('control_before.distinct_users') }}
        or {{ is_below_privacy_floor('control_after.distinct_users') }} as is_suppressed
    from treated_cohorts
    left join cell_rates as treated_before
        on
            treated_cohorts.treated_cohort = treated_before.cohort
            and treated_before.launch_period = 'before'
    left join cell_rates as treated_after
        on
            treated_cohorts.treated_cohort = treated_after.cohort
            and treated_after.launch_period = 'after'
    left join cell_rates as control_before
        on
            control_before.cohort = 'control'
            and control_before.launch_period = 'before'
    left join cell_rates as control_after
        on
            control_after.cohort = 'control'
            and control_after.launch_period = 'after'
),

final as (
    select
        treated_cohort,
        'control' as control_cohort,
        'store_entry_rate' as metric_name,
        cast(treated_brand_days as {{ dbt.type_bigint() }}) as treated_brand_days,
        cast(control_brand_days as {{ dbt.type_bigint() }}) as control_brand_days,
        {{ suppress_if('is_suppressed', 'treated_before_rate') }} as treated_before_rate,
        {{ suppress_if('is_suppressed', 'treated_after_rate') }} as treated_after_rate,
        {{ suppress_if('is_suppressed', 'control_before_rate') }} as control_before_rate,
        {{ suppress_if('is_suppressed', 'control_after_rate') }} as control_after_rate,
        {{ suppress_if('is_suppressed', 'treated_after_rate - treated_before_rate') }}
            as treated_change,
        {{ suppress_if('is_suppressed', 'control_after_rate - control_before_rate') }}
            as control_change,
        {{ suppress_if(
            'is_suppressed',
            '(treated_after_rate - treated_before_rate) - (control_after_rate - control_before_rate)',
        ) }} as did_estimate,
        is_suppressed,
        {{ ad_link_launch_date() }} as launch_date,
        cast(
            {{ dbt.dateadd('day', -1 * ad_link_did_window_days(), ad_link_launch_date()) }} as date
        ) as before_start_date,
        cast({{ dbt.dateadd('day', -1, ad_link_launch_date()) }} as date) as before_end_date,
        {{ ad_link_launch_date() }} as after_start_date,
        cast(
            {{ dbt.dateadd('day', ad_link_did_window_days() - 1, ad_link_launch_date()) }} as date
        ) as after_end_date
    from paired
)

select * from final
