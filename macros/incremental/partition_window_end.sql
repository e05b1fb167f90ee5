{#- The local day after the last one an incremental partition run rebuilds
    (partition_bound('partition_end_date'), exclusive), as a SQL date. -#}
{% macro partition_window_end() -%}
    {%- set end = modules.datetime.date.fromisoformat(partition_bound('partition_end_date')) -%}
    cast('{{ end.isoformat() }}' as date)
{%- endmacro %}
