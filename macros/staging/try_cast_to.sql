{#- Cast that yields NULL instead of failing. dbt.safe_cast is a plain cast on
    DuckDB (dbt-duckdb does not override it), so one invalid date or an int
    overflow would fail the whole build; DuckDB's try_cast is the safe form. -#}
{% macro try_cast_to(expr, data_type) -%}
    {{ return(adapter.dispatch('try_cast_to', 'redcat')(expr, data_type)) }}
{%- endmacro %}

{% macro default__try_cast_to(expr, data_type) -%}
    {{ dbt.safe_cast(expr, data_type) }}
{%- endmacro %}

{% macro duckdb__try_cast_to(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}
