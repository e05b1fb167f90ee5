{#- Written between a CTE's name and its `as (`: the engine inlines the CTE
    into every query that reads it instead of storing its rows first. DuckDB
    and PostgreSQL store a CTE read more than once; for a scan of a whole raw
    table that is a copy of every row, which spills to disk past
    memory_limit, where reading the raw table again is cheaper. Spark inlines
    CTEs anyway and has no such keyword. -#}
{% macro inlined_cte() -%}
    {{ return(adapter.dispatch('inlined_cte', 'redcat')()) }}
{%- endmacro %}

{% macro default__inlined_cte() -%}
{%- endmacro %}

{% macro duckdb__inlined_cte() -%}
    not materialized
{%- endmacro %}

{% macro postgres__inlined_cte() -%}
    not materialized
{%- endmacro %}
