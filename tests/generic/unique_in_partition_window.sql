{#- dbt's `unique` test for a model rebuilt by day. On a daily partition run
    (the window given: has_partition_window) it counts only the values that
    rows of the days the run rebuilt carry (`partitioned_by` from
    partition_window_start(extra_days) on, before partition_window_end()),
    wherever their other copies are: exact for the rows the run wrote, and
    the other days were checked by the runs that wrote them. Without the
    window (a first build, the weekly --full-refresh) it counts every value,
    as `unique` does. `extra_days` is the model's own extra rebuild days
    (daily_partitioned_incremental's extra_days). -#}
{% test unique_in_partition_window(model, column_name, partitioned_by, extra_days=0) %}

with

{% if has_partition_window() -%}
rebuilt_values as (
    select {{ column_name }} as rebuilt_value
    from {{ model }}
    where
        {{ partitioned_by }} >= {{ partition_window_start(extra_days | int) }}
        and {{ partitioned_by }} < {{ partition_window_end() }}
),

{% endif -%}
tested_values as (
    select {{ column_name }} as unique_field
    from {{ model }}
    where
        {{ column_name }} is not null
        {%- if has_partition_window() %}
        and {{ column_name }} in (select rebuilt_values.rebuilt_value from rebuilt_values)
        {%- endif %}
)

select
    unique_field,
    count(*) as n_records
from tested_values
group by unique_field
having count(*) > 1

{% endtest %}
