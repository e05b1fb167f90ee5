{#- The local day after the last one an incremental partition run rebuilds
    (var('partition_end_date'), exclusive), as a SQL date. -#}
{% macro partition_window_end() -%}
    {%- set end = modules.datetime.date.fromisoformat(var('partition_end_date')) -%}
    cast('{{ end.isoformat() }}' as date)
{%- endmacro %}
