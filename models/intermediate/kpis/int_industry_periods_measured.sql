{#- Industry KPI inputs per reporting period, for the period itself
    (window_kind 'current') and for the same calendar window one year
    earlier ('prior'). industry 'all' covers every industry. Not suppressed:
    mart_industry_kpis_yoy applies the privacy floor.

    - impressions, reads, interactions: events on seeding notes (notes that
      promote a brand) of the industry on the window's days;
    - exposed_user_brands: pairs (xhs user matched on tb, brand whose tb shop
      was linked that day) with an impression of the brand's notes in the
      window; entered_user_brands: those pairs where the user entered that
      brand's tb shop within var('click_lookback_days') days after such an
      impression (their ratio is the store-entry rate);
    - store_entry_base_users / store_entry_users: the distinct users of those
      pairs (the privacy population);
    - joint_merchant_days: the sum over the window's days of the number of
      brands with joint-campaign spend > 0; covered_days: the window's days
      that the data covers (their ratio is the daily average).

    Incremental (period_windows_incremental): a daily partition run
    recomputes both windows of every period whose current or prior window
    reaches a day the run rebuilt (from the partition window's start minus
    var('click_lookback_days'), where int_brand_exposures_tracked starts) and
    replaces their rows; the other periods keep theirs. The industries are
    read from every day, so a recomputed window has a row for each. -#}
{%- set claim_days = var('click_lookback_days') | int -%}
{{ config(on_schema_change='fail', **period_windows_incremental('industry_period_window_id')) }}

with

periods as (
    select
        period_id,
        period_start,
        period_end,
        prior_period_start,
        prior_period_end
    from {{ ref('int_periods_enumerated') }}
),

days as (
    select date_day
    from {{ ref('int_days_spined') }}
),

note_days as (
    select
        impressions,
        reads,
        local_date,
        coalesce(industry, 'unknown') as industry,
        likes + saves + comments + shares as interactions
    from {{ ref('int_note_days_aggregated') }}
    where is_seeding_note
),

exposures as (
    select
        xhs_user_key,
        brand_account_id,
        has_store_entry_after_impression,
        exposure_date,
        coalesce(industry, 'unknown') as industry
    from {{ ref('int_brand_exposures_tracked') }}
    where
        platform = 'taobao'
        and shop_id is not null
),

brand_spend_days as (
    select
        brand_account_id,
        industry,
        spend_date
    from {{ ref('int_brand_spend_days_aggregated') }}
    where is_joint_merchant
),

-- every period; on a partition run, those either of whose windows holds a day
-- the run rebuilt
measured_periods as (
    select *
    from periods
    {%- if is_partition_run() %}
    where
        (
            period_start < {{ partition_window_end() }}
            and period_end >= {{ partition_window_start(claim_days) }}
        )
        or (
            prior_period_start < {{ partition_window_end() }}
            and prior_period_end >= {{ partition_window_start(claim_days) }}
        )
    {%- endif %}
),

windows as (
    select
        period_id,
        'current' as window_kind,
        period_start as window_start,
        period_end as window_end
    from measured_periods
    union all
    select
        period_id,
        'prior' as window_kind,
        prior_period_start as window_start,
        prior_period_end as window_end
    from measured_periods
),

industries as (
    select distinct industry from note_days
    union
    select distinct industry from exposures
    union
    select distinct industry from brand_spend_days
    union
    select 'all' as industry
),

industry_windows as (
    select
        windows.period_id,
        windows.window_kind,
        windows.window_start,
        windows.window_end,
        industries.industry
    from windows
    cross join industries
),

window_days as (
    select
        windows.period_id,
        windows.window_kind,
        days.date_day
    from windows
    inner join days
        on
            windows.window_start <= days.date_day
            and windows.window_end >= days.date_day
),

covered_days as (
    select
        period_id,
        window_kind,
        count(*) as covered_days
    from window_days
    group by
        period_id,
        window_kind
),

note_days_by_industry as (
    select
        industry,
        local_date,
        impressions,
        reads,
        interactions
    from note_days
    union all
    select
        'all' as industry,
        local_date,
        impressions,
        reads,
        interactions
    from note_days
),

engagement as (
    select
        window_days.period_id,
        window_days.window_kind,
        note_days_by_industry.industry,
        sum(note_days_by_industry.impressions) as impressions,
        sum(note_days_by_industry.reads) as reads,
        sum(note_days_by_industry.interactions) as interactions
    from window_days
    inner join note_days_by_industry
        on window_days.date_day = note_days_by_industry.local_date
    group by
        window_days.period_id,
        window_days.window_kind,
        note_days_by_industry.industry
),

-- one row per window, industry and user × brand pair with an exposure in the
-- window (whether any of them led to a store entry); distinct counts as
-- group-bys. A brand has one industry, so the pairs of 'all' are the sum of
-- the industries' pairs; a user can have pairs in several, so the users of
-- 'all' are counted apart.
window_user_brands as (
    select
        window_days.period_id,
        window_days.window_kind,
        exposures.industry,
        exposures.brand_account_id,
        exposures.xhs_user_key,
        max(case when exposures.has_store_entry_after_impression then 1 else 0 end) as entered
    from window_days
    inner join exposures
        on window_days.date_day = exposures.exposure_date
    group by
        window_days.period_id,
        window_days.window_kind,
        exposures.industry,
        exposures.brand_account_id,
        exposures.xhs_user_key
),

industry_user_brand_counts as (
    select
        period_id,
        window_kind,
        industry,
        count(*) as exposed_user_brands,
        sum(entered) as entered_user_brands
    from window_user_brands
    group by
        period_id,
        window_kind,
        industry
),

user_brand_counts as (
    select * from industry_user_brand_counts
    union all
    select
        period_id,
        window_kind,
        'all' as industry,
        sum(exposed_user_brands) as exposed_user_brands,
        sum(entered_user_brands) as entered_user_brands
    from industry_user_brand_counts
    group by
        period_id,
        window_kind
),

window_users as (
    select
        period_id,
        window_kind,
        industry,
        xhs_user_key,
        max(entered) as entered
    from window_user_brands
    group by
        period_id,
        window_kind,
        industry,
        xhs_user_key
    union all
    select
        period_id,
        window_kind,
        'all' as industry,
        xhs_user_key,
        max(entered) as entered
    from window_user_brands
    group by
        period_id,
        window_kind,
        xhs_user_key
),

user_counts as (
    select
        period_id,
        window_kind,
        industry,
        count(*) as store_entry_base_users,
        sum(entered) as store_entry_users
    from window_users
    group by
        period_id,
        window_kind,
        industry
),

joint_merchants_by_industry as (
    select
        industry,
        spend_date,
        count(distinct brand_account_id) as joint_merchants
    from brand_spend_days
    group by
        industry,
        spend_date
    union all
    select
        'all' as industry,
        spend_date,
        count(distinct brand_account_id) as joint_merchants
    from brand_spend_days
    group by spend_date
),

joint_merchants as (
    select
        window_days.period_id,
        window_days.window_kind,
        joint_merchants_by_industry.industry,
        sum(joint_merchants_by_industry.joint_merchants) as joint_merchant_days
    from window_days
    inner join joint_merchants_by_industry
        on window_days.date_day = joint_merchants_by_industry.spend_date
    group by
        window_days.period_id,
        window_days.window_kind,
        joint_merchants_by_industry.industry
),

final as (
    select
        {{ dbt.concat([
            "industry_windows.industry", "'|'", "industry_windows.period_id", "'|'",
            "industry_windows.window_kind",
        ]) }} as industry_period_window_id,
        industry_windows.period_id,
        industry_windows.industry,
        industry_windows.window_kind,
        cast(coalesce(engagement.impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
        cast(coalesce(engagement.reads, 0) as {{ dbt.type_bigint() }}) as reads,
        cast(coalesce(engagement.interactions, 0) as {{ dbt.type_bigint() }}) as interactions,
        cast(coalesce(user_brand_counts.exposed_user_brands, 0) as {{ dbt.type_bigint() }})
            as exposed_user_brands,
        cast(coalesce(user_brand_counts.entered_user_brands, 0) as {{ dbt.type_bigint() }})
            as entered_user_brands,
        cast(coalesce(user_counts.store_entry_base_users, 0) as {{ dbt.type_bigint() }})
            as store_entry_base_users,
        cast(coalesce(user_counts.store_entry_users, 0) as {{ dbt.type_bigint() }})
            as store_entry_users,
        cast(coalesce(joint_merchants.joint_merchant_days, 0) as {{ dbt.type_bigint() }})
            as joint_merchant_days,
        cast(coalesce(covered_days.covered_days, 0) as {{ dbt.type_bigint() }}) as covered_days,
        industry_windows.window_start,
        industry_windows.window_end
    from industry_windows
    left join covered_days
        on
            industry_windows.period_id = covered_days.period_id
            and industry_windows.window_kind = covered_days.window_kind
    left join engagement
        on
            industry_windows.period_id = engagement.period_id
            and industry_windows.window_kind = engagement.window_kind
            and industry_windows.industry = engagement.industry
    left join user_brand_counts
        on
            industry_windows.period_id = user_brand_counts.period_id
            and industry_windows.window_kind = user_brand_counts.window_kind
            and industry_windows.industry = user_brand_counts.industry
    left join user_counts
        on
            industry_windows.period_id = user_counts.period_id
            and industry_windows.window_kind = user_counts.window_kind
            and industry_windows.industry = user_counts.industry
    left join joint_merchants
        on
            industry_windows.period_id = joint_merchants.period_id
            and industry_windows.window_kind = joint_merchants.window_kind
            and industry_windows.industry = joint_merchants.industry
)

select * from final
