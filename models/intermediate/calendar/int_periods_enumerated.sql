{#- Reporting periods (calendar months and half-years) that the data covers,
    each with the same calendar window one year earlier. A period is clipped
    to the days the data covers; a complete period compares with the whole
    calendar period a year earlier, a clipped one with the same dates a year
    earlier. -#}
with

days as (
    select date_day
    from {{ ref('int_days_spined') }}
),

bounds as (
    select
        min(date_day) as first_date,
        max(date_day) as last_date
    from days
),

calendar_months as (
    select distinct
        'month' as period_type,
        1 as months_in_period,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as calendar_start
    from days
),

calendar_half_years as (
    select distinct
        'half_year' as period_type,
        6 as months_in_period,
        cast(
            case
                when extract(month from date_day) <= 6
                    then {{ dbt.date_trunc('year', 'date_day') }}
                else {{ dbt.dateadd('month', 6, dbt.date_trunc('year', 'date_day')) }}
            end as date
        ) as calendar_start
    from days
),

calendar_periods as (
    select * from calendar_months
    union all
    select * from calendar_half_years
),

bounded_periods as (
    select
        calendar_periods.period_type,
        calendar_periods.months_in_period,
        calendar_periods.calendar_start,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd(
            'month', 'calendar_periods.months_in_period', 'calendar_periods.calendar_start'
        )) }} as date) as calendar_end,
        bounds.first_date,
        bounds.last_date
    from calendar_periods
    cross join bounds
),

clipped_periods as (
    select
        period_type,
        months_in_period,
        calendar_start,
        calendar_end,
        greatest(calendar_start, first_date) as period_start,
        least(calendar_end, last_date) as period_end
    from bounded_periods
),

final as (
    select
        {{ dbt.concat([
            "period_type", "'|'", "cast(calendar_start as " ~ dbt.type_string() ~ ")",
        ]) }} as period_id,
        period_type,
        case
            when period_type = 'month'
                then {{ dbt.concat([
                    "cast(extract(year from calendar_start) as " ~ dbt.type_string() ~ ")",
                    "'-'",
                    "lpad(cast(extract(month from calendar_start) as " ~ dbt.type_string() ~ "), 2, '0')",
                ]) }}
            else {{ dbt.concat([
                "cast(extract(year from calendar_start) as " ~ dbt.type_string() ~ ")",
                "case when extract(month from calendar_start) = 1 then '-H1' else '-H2' end",
            ]) }}
        end as period_name,
        period_start = calendar_start and period_end = calendar_end as is_complete,
        calendar_start,
        calendar_end,
        period_start,
        period_end,
        cast({{ dbt.dateadd('year', -1, 'period_start') }} as date) as prior_period_start,
        cast(
            case
                when period_start = calendar_start and period_end = calendar_end
                    then {{ dbt.dateadd('day', -1, dbt.dateadd(
                        'month', 'months_in_period', dbt.dateadd('year', -1, 'calendar_start')
                    )) }}
                else {{ dbt.dateadd('year', -1, 'period_end') }}
            end as date
        ) as prior_period_end
    from clipped_periods
)

select * from final
