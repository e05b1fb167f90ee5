{#- Every published row that counts cross-platform users aggregates at least
    var('min_users_per_row') distinct users or is suppressed with its user
    counts null, and mart_privacy_suppression reports exactly the rows and
    suppressed rows of each mart. Returns the offending rows. -#}
with

funnel_days as (
    select
        'fct_seeding_funnel_daily' as mart_name,
        is_suppressed,
        reach_users as population_users,
        coalesce(
            engaged_users, link_clicks, store_entry_users, buyers, orders, gmv_cny
        ) as any_measure
    from {{ ref('fct_seeding_funnel_daily') }}
),

industry_periods as (
    select
        'mart_industry_kpis_yoy' as mart_name,
        is_suppressed,
        store_entry_base_users as population_users,
        coalesce(store_entry_users, store_entry_rate, store_entry_rate_yoy) as any_measure
    from {{ ref('mart_industry_kpis_yoy') }}
),

new_customer_months as (
    select
        'mart_new_customers' as mart_name,
        is_suppressed,
        attributed_buyers as population_users,
        coalesce(new_buyers, new_customer_share, attributed_orders, gmv_cny) as any_measure
    from {{ ref('mart_new_customers') }}
),

launch_rows as (
    select
        'mart_ad_link_launch_did' as mart_name,
        is_suppressed,
        cast(null as {{ dbt.type_bigint() }}) as population_users,
        coalesce(treated_before_rate, treated_after_rate, did_estimate) as any_measure
    from {{ ref('mart_ad_link_launch_did') }}
),

published_rows as (
    select
        mart_name,
        is_suppressed,
        population_users,
        cast(any_measure as {{ type_ratio() }}) as any_measure
    from funnel_days
    union all
    select
        mart_name,
        is_suppressed,
        population_users,
        cast(any_measure as {{ type_ratio() }}) as any_measure
    from industry_periods
    union all
    select
        mart_name,
        is_suppressed,
        population_users,
        cast(any_measure as {{ type_ratio() }}) as any_measure
    from new_customer_months
    union all
    select
        mart_name,
        is_suppressed,
        population_users,
        cast(any_measure as {{ type_ratio() }}) as any_measure
    from launch_rows
),

leaking_rows as (
    select
        mart_name,
        'row below the floor published' as problem
    from published_rows
    where
        (is_suppressed and (population_users is not null or any_measure is not null))
        or (
            not is_suppressed
            and population_users is not null
            and population_users < {{ var('min_users_per_row') }}
        )
),

published_counts as (
    select
        mart_name,
        count(*) as rows_total,
        sum(case when is_suppressed then 1 else 0 end) as rows_suppressed
    from published_rows
    group by mart_name
),

reported_counts as (
    select
        mart_name,
        rows_total,
        rows_suppressed
    from {{ ref('mart_privacy_suppression') }}
),

miscounted_marts as (
    select
        reported_counts.mart_name,
        'mart_privacy_suppression differs from the mart' as problem
    from reported_counts
    left join published_counts
        on reported_counts.mart_name = published_counts.mart_name
    where
        reported_counts.rows_total <> coalesce(published_counts.rows_total, 0)
        or reported_counts.rows_suppressed <> coalesce(published_counts.rows_suppressed, 0)
),

final as (
    select * from leaking_rows
    union all
    select * from miscounted_marts
)

select * from final
