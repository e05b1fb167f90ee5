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

{#- Spark 4 runs in ANSI mode: a plain cast of an impossible value (2025-02-30,
    an overflow) fails the query, and dbt-spark's safe_cast is a plain cast;
    try_cast gives NULL. -#}
{% macro spark__try_cast_to(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}

{#- PostgreSQL has no try_cast, and a plain cast of an impossible value
    (2025-02-30, an integer overflow) fails the statement: the cast runs only
    when is_castable_text says it succeeds, a guard that cannot fail itself.
    `double` is spelled `double precision` there. -#}
{% macro postgres__try_cast_to(expr, data_type) -%}
    {%- set target_type = 'double precision' if data_type | trim | lower == 'double' else data_type -%}
    case when {{ is_castable_text(expr, target_type) }} then cast({{ expr }} as {{ target_type }}) end
{%- endmacro %}
