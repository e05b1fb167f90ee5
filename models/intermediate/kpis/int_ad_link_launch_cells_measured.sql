{#- The four cells of the ad-link launch difference in differences, before
    privacy suppression: each cohort (each pilot industry, all pilot
    industries together as 'pilot', and the other industries as 'control')
    before and after the launch.

    Metric: the per-brand daily store-entry rate (matched users who entered
    the brand's tb shop within var('click_lookback_days') after an impression
    of its notes that day ÷ matched users with such an impression), pooled
    over the cell's brand-days: store_entry_user_days ÷ exposed_user_days.

    Windows: 'before' is the var('ad_link_did_window_days') days (default 28)
    before var('ad_link_launch_date') (default 2025-05-07), 'after' the same
    number of days from it. -#}
with

exposures as (
    select
        xhs_user_key,
        brand_account_id,
        industry,
        has_store_entry_after_impression,
        exposure_date
    from {{ ref('int_brand_exposures_tracked') }}
    where
        platform = 'taobao'
        and shop_id is not null
),

launch_windows as (
    select
        'before' as launch_period,
        cast(
            {{ dbt.dateadd('day', -1 * ad_link_did_window_days(), ad_link_launch_date()) }} as date
        ) as window_start,
        cast({{ dbt.dateadd('day', -1, ad_link_launch_date()) }} as date) as window_end
    union all
    select
        'after' as launch_period,
        {{ ad_link_launch_date() }} as window_start,
        cast(
            {{ dbt.dateadd('day', ad_link_did_window_days() - 1, ad_link_launch_date()) }} as date
        ) as window_end
),

windowed_exposures as (
    select
        exposures.*,
        launch_windows.launch_period,
        launch_windows.window_start,
        launch_windows.window_end,
        coalesce(
            exposures.industry in ({{ sql_values_list(ad_link_pilot_industries()) }}), false
        ) as is_pilot
    from exposures
    inner join launch_windows
        on
            exposures.exposure_date >= launch_windows.window_start
            and exposures.exposure_date <= launch_windows.window_end
),

cohort_exposures as (
    select
        windowed_exposures.*,
        windowed_exposures.industry as cohort
    from windowed_exposures
    where windowed_exposures.is_pilot
    union all
    select
        windowed_exposures.*,
        case when windowed_exposures.is_pilot then 'pilot' else 'control' end as cohort
    from windowed_exposures
),

final as (
    select
        {{ dbt.concat(["cohort", "'|'", "launch_period"]) }} as launch_cell_id,
        cohort,
        launch_period,
        cast(count(distinct brand_account_id) as {{ dbt.type_bigint() }}) as brands,
        cast(count(distinct {{ dbt.concat([
            "brand_account_id", "'|'", "cast(exposure_date as " ~ dbt.type_string() ~ ")",
        ]) }}) as {{ dbt.type_bigint() }}) as brand_days,
        cast(count(distinct xhs_user_key) as {{ dbt.type_bigint() }}) as distinct_users,
        cast(count(*) as {{ dbt.type_bigint() }}) as exposed_user_days,
        cast(
            sum(case when has_store_entry_after_impression then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as store_entry_user_days,
        window_start,
        window_end
    from cohort_exposures
    group by
        cohort,
        launch_period,
        window_start,
        window_end
)

select * from final
