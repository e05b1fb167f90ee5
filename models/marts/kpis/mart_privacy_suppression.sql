{#- Per mart, how many rows were published suppressed because they aggregate
    fewer than var('min_users_per_row') distinct cross-platform users, and how
    many users those rows held (the sum over suppressed rows of each row's
    population; a user can be in several rows). -#}
with

funnel_days as (
    select reach_users as population_users
    from {{ ref('int_funnel_days_aggregated') }}
),

industry_periods as (
    select store_entry_base_users as population_users
    from {{ ref('int_industry_periods_measured') }}
    where window_kind = 'current'
),

new_customer_months as (
    select attributed_buyers as population_users
    from {{ ref('int_new_customer_months_aggregated') }}
),

launch_cells as (
    select
        cohort,
        launch_period,
        distinct_users
    from {{ ref('int_ad_link_launch_cells_measured') }}
),

treated_cohorts as (
    {{ values_relation(ad_link_pilot_industries() + ['pilot'], 'treated_cohort') }}
),

launch_rows as (
    select
        treated_cohorts.treated_cohort,
        min(coalesce(launch_cells.distinct_users, 0)) as smallest_cell_users,
        count(launch_cells.cohort) as cells
    from treated_cohorts
    left join launch_cells
        on
            treated_cohorts.treated_cohort = launch_cells.cohort
            or launch_cells.cohort = 'control'
    group by treated_cohorts.treated_cohort
),

launch_populations as (
    select case when cells = 4 then smallest_cell_users else 0 end as population_users
    from launch_rows
),

populations as (
    select
        'fct_seeding_funnel_daily' as mart_name,
        'reach_users' as population_column,
        population_users
    from funnel_days
    union all
    select
        'mart_industry_kpis_yoy' as mart_name,
        'store_entry_base_users' as population_column,
        population_users
    from industry_periods
    union all
    select
        'mart_new_customers' as mart_name,
        'attributed_buyers' as population_column,
        population_users
    from new_customer_months
    union all
    select
        'mart_ad_link_launch_did' as mart_name,
        'distinct users of the smallest of the four cells' as population_column,
        population_users
    from launch_populations
),

marts as (
    select
        'fct_seeding_funnel_daily' as mart_name,
        'reach_users' as population_column
    union all
    select
        'mart_industry_kpis_yoy' as mart_name,
        'store_entry_base_users' as population_column
    union all
    select
        'mart_new_customers' as mart_name,
        'attributed_buyers' as population_column
    union all
    select
        'mart_ad_link_launch_did' as mart_name,
        'distinct users of the smallest of the four cells' as population_column
),

counted as (
    select
        mart_name,
        count(*) as rows_total,
        sum(case when {{ is_below_privacy_floor('population_users') }} then 1 else 0 end)
            as rows_suppressed,
        sum(
            case
                when {{ is_below_privacy_floor('population_users') }}
                    then coalesce(population_users, 0)
                else 0
            end
        ) as users_suppressed
    from populations
    group by mart_name
),

final as (
    select
        marts.mart_name,
        marts.population_column,
        cast(coalesce(counted.rows_total, 0) as {{ dbt.type_bigint() }}) as rows_total,
        cast(coalesce(counted.rows_suppressed, 0) as {{ dbt.type_bigint() }}) as rows_suppressed,
        cast(coalesce(counted.users_suppressed, 0) as {{ dbt.type_bigint() }})
            as users_suppressed,
        cast({{ var('min_users_per_row') }} as {{ dbt.type_bigint() }}) as min_users_per_row
    from marts
    left join counted
        on marts.mart_name = counted.mart_name
)

select * from final
