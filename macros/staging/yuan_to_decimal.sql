{#- Text yuan (jd `amount` "129.00", "0.5"; xhs decimals) to `decimal(18,2)`.
    NULL unless the text is a plain decimal with at most two places. -#}
{% macro yuan_to_decimal(text_expr) -%}
    case
        when {{ matches_pattern(text_expr, '^-?[0-9]{1,16}([.][0-9]{1,2})?$') }}
            then cast({{ text_expr }} as decimal(18, 2))
    end
{%- endmacro %}
