{#- Hours (fractional, to the second) from one timestamp to a later one. -#}
{% macro hours_between(start_timestamp, end_timestamp) -%}
    {{ return(adapter.dispatch('hours_between', 'redcat')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro default__hours_between(start_timestamp, end_timestamp) -%}
    ({{ dbt.datediff(start_timestamp, end_timestamp, 'second') }} / 3600.0)
{%- endmacro %}

{#- Spark: a literal with a decimal point is a DECIMAL, and seconds / 3600.0
    is rounded to 6 decimal places; divided by a double it is DuckDB's double. -#}
{% macro spark__hours_between(start_timestamp, end_timestamp) -%}
    ({{ dbt.datediff(start_timestamp, end_timestamp, 'second') }} / cast(3600 as double))
{%- endmacro %}
