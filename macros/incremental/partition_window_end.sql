{#- The local day after the last one an incremental partition run rebuilds
    (partition_bound('partition_end_date'), exclusive) plus days_after (an
    input read further on, e.g. the visits an exposure can still lead to), as
    a SQL date. -#}
{% macro partition_window_end(days_after=0) -%}
    cast('{{ partition_window_end_day(days_after).isoformat() }}' as date)
{%- endmacro %}

{#- partition_window_end as a Python date (raw_epoch_prefilter). -#}
{% macro partition_window_end_day(days_after=0) -%}
    {%- set end = modules.datetime.date.fromisoformat(partition_bound('partition_end_date')) -%}
    {{- return(end + modules.datetime.timedelta(days=days_after)) -}}
{%- endmacro %}
