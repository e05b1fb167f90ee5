{#- Predicate on a local-date column: inside the window an incremental
    partition run rebuilds ([partition_window_start(extra_days),
    partition_window_end(days_after))); always true on any other run, so a
    first build, a --full-refresh and an incremental run without the partition
    vars read every row. extra_days and days_after widen it for an input read
    further back or further on than the rows rebuilt. -#}
{% macro in_partition_window(date_column, extra_days=0, days_after=0) -%}
    {%- if is_partition_run() -%}
        {{ date_column }} >= {{ partition_window_start(extra_days) }}
        and {{ date_column }} < {{ partition_window_end(days_after) }}
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}
