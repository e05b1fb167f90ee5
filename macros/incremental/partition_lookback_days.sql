{#- Days before a partition that an incremental run rebuilds: the attribution
    windows in whole local days (var('click_lookback_days') and
    var('view_lookback_hours') rounded up to days), whichever is longer. -#}
{% macro partition_lookback_days() -%}
    {%- set view_days = (var('view_lookback_hours') / 24) | round(0, 'ceil') | int -%}
    {{- return([var('click_lookback_days') | int, view_days] | max) -}}
{%- endmacro %}
