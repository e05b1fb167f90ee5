{#- True when the text matches the regular expression (anchor it with ^ and $).
    Patterns avoid backslashes so the same literal works on every engine. -#}
{% macro matches_pattern(text_expr, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'redcat')(text_expr, pattern)) }}
{%- endmacro %}

{% macro default__matches_pattern(text_expr, pattern) -%}
    ({{ text_expr }} rlike '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__matches_pattern(text_expr, pattern) -%}
    regexp_matches({{ text_expr }}, '{{ pattern }}')
{%- endmacro %}

{#- PostgreSQL: `~` is a POSIX regular-expression match (unanchored, like rlike). -#}
{% macro postgres__matches_pattern(text_expr, pattern) -%}
    ({{ text_expr }} ~ '{{ pattern }}')
{%- endmacro %}
