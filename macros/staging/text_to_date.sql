{#- Text `YYYY-MM-DD` to `date`; NULL when it is not a valid calendar date. -#}
{% macro text_to_date(text_expr) -%}
    case
        when {{ matches_pattern(text_expr, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') }}
            then {{ try_cast_to(text_expr, 'date') }}
    end
{%- endmacro %}
