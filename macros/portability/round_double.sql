{#- A double rounded to `places` decimals (still a number to cast to an
    exact decimal). PostgreSQL rounds to places only numerics, so the double
    goes through numeric there: float8 to numeric keeps 15 significant digits,
    enough that a credit rounded to 12 decimals is the one DuckDB gives except
    when the double's 13th to 15th digits sit on the half (never seen on the
    seeds; the credits still add up to exactly 1, the last note taking the rest). -#}
{% macro round_double(expr, places) -%}
    {{ return(adapter.dispatch('round_double', 'redcat')(expr, places)) }}
{%- endmacro %}

{% macro default__round_double(expr, places) -%}
    round({{ expr }}, {{ places }})
{%- endmacro %}

{% macro postgres__round_double(expr, places) -%}
    round(cast({{ expr }} as numeric), {{ places }})
{%- endmacro %}
