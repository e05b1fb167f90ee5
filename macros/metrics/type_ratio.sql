{#- A rate or ratio: a double-precision float (dbt.type_float() is a 4-byte
    real on DuckDB). -#}
{% macro type_ratio() -%}
    {{ return(adapter.dispatch('type_ratio', 'redcat')()) }}
{%- endmacro %}

{% macro default__type_ratio() -%}
    double
{%- endmacro %}

{% macro postgres__type_ratio() -%}
    double precision
{%- endmacro %}
