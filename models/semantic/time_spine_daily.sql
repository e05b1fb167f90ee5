{#- MetricFlow's time spine: one row per local day the data covers (the
    project's own day spine), with the half-year as a custom granularity so
    that `mf query` can group and offset by the reporting half-years the marts
    use (`2025-H1`). -#}
with

days as (
    select date_day
    from {{ ref('int_days_spined') }}
),

final as (
    select
        date_day,
        {{ dbt.concat([
            "cast(extract(year from date_day) as " ~ dbt.type_string() ~ ")",
            "case when extract(month from date_day) <= 6 then '-H1' else '-H2' end",
        ]) }} as half_year_name
    from days
)

select * from final
