{#- Text yuan (jd `amount` "129.00", "0.5"; xhs decimals) to `decimal(18,2)`.
    NULL unless the text is a plain decimal with at most two places. The cast
    wraps the CASE: PostgreSQL drops the scale of a CASE whose ELSE is NULL. -#}
{% macro yuan_to_decimal(text_expr) -%}
    cast(case
        when {{ matches_pattern(text_expr, '^-?[0-9]{1,16}([.][0-9]{1,2})?$') }}
            then {{ text_expr }}
    end as decimal(18, 2))
{%- endmacro %}
