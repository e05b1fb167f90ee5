{#- One row per local day the data covers, with its calendar attributes and
    the sales festivals it falls in. The festival windows are
    var('sales_festivals') (set in dbt_project.yml): each has a name, a first
    and last day of its window and its festival day, as month-day strings
    repeated every year. -#}
{%- set sales_festivals = var('sales_festivals') -%}
with

days as (
    select date_day
    from {{ ref('int_days_spined') }}
),

calendar_days as (
    select
        date_day,
        cast(extract(year from date_day) as {{ dbt.type_int() }}) as year_number,
        cast(extract(month from date_day) as {{ dbt.type_int() }}) as month_number,
        cast(extract(day from date_day) as {{ dbt.type_int() }}) as day_of_month,
        -- 2024-01-01 was a Monday
        cast('2024-01-01' as date) as reference_monday,
        {{ dbt.concat([
            "lpad(cast(extract(month from date_day) as " ~ dbt.type_string() ~ "), 2, '0')",
            "'-'",
            "lpad(cast(extract(day from date_day) as " ~ dbt.type_string() ~ "), 2, '0')",
        ]) }} as month_day
    from days
),

day_offsets as (
    select
        *,
        {{ dbt.datediff('reference_monday', 'date_day', 'day') }}
            as days_since_reference_monday
    from calendar_days
),

iso_weekdays as (
    select
        *,
        cast(((days_since_reference_monday % 7) + 7) % 7 + 1 as {{ dbt.type_int() }})
            as iso_day_of_week
    from day_offsets
),

festival_days as (
    select
        *,
        case
            {%- for festival in sales_festivals %}
                when month_day >= '{{ festival.window_start }}' and month_day <= '{{ festival.window_end }}'
                    then '{{ festival.name }}'
            {%- endfor %}
        end as festival_name,
        month_day in (
            {{ sql_values_list(sales_festivals | map(attribute='festival_day') | list) }}
        ) as is_festival_day
    from iso_weekdays
),

final as (
    select
        date_day,
        {{ dbt.concat([
            "cast(year_number as " ~ dbt.type_string() ~ ")",
            "case when month_number <= 6 then '-H1' else '-H2' end",
        ]) }} as half_year_name,
        festival_name,
        year_number,
        month_number,
        day_of_month,
        iso_day_of_week,
        iso_day_of_week >= 6 as is_weekend,
        coalesce(festival_name = '618', false) as is_618_window,
        coalesce(festival_name = '11.11', false) as is_1111_window,
        is_festival_day,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        cast(
            case
                when month_number <= 6 then {{ dbt.date_trunc('year', 'date_day') }}
                else {{ dbt.dateadd('month', 6, dbt.date_trunc('year', 'date_day')) }}
            end as date
        ) as half_year_start
    from festival_days
)

select * from final
