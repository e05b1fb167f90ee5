{#- The local day after the last one an incremental partition run rebuilds
    (partition_bound('partition_end_date'), exclusive) plus days_after (an
    input read further on, e.g. the visits an exposure can still lead to), as
    a SQL date. -#}
{% macro partition_window_end(days_after=0) -%}
    {%- set end = modules.datetime.date.fromisoformat(partition_bound('partition_end_date')) -%}
    {%- set last_day = end + modules.datetime.timedelta(days=days_after) -%}
    cast('{{ last_day.isoformat() }}' as date)
{%- endmacro %}
