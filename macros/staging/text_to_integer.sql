{#- Text whole number to an integer type (default bigint); NULL when the text
    is not a whole number (`3.0`, `1e3`) or does not fit the type. -#}
{% macro text_to_integer(text_expr, data_type=none) -%}
    case
        when {{ matches_pattern(text_expr, '^-?[0-9]{1,18}$') }}
            then {{ try_cast_to(text_expr, data_type or dbt.type_bigint()) }}
    end
{%- endmacro %}
