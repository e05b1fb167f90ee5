{#- Text integer fen (tb: 1 yuan = 100 fen) to yuan `decimal(18,2)`, exactly.
    NULL unless the text is a whole number (`129.00` is not integer fen,
    even though a cast would truncate it silently). The cast wraps the CASE:
    PostgreSQL drops the scale of a CASE whose ELSE is NULL. -#}
{% macro fen_to_yuan(text_expr) -%}
    cast(case
        when {{ matches_pattern(text_expr, '^-?[0-9]{1,16}$') }}
            then cast({{ text_expr }} as {{ dbt.type_bigint() }}) * 0.01
    end as decimal(18, 2))
{%- endmacro %}
