{#- Text number (plain or scientific notation) to `double`; NULL otherwise,
    so `nan` or `inf` never pass as a number. -#}
{% macro text_to_double(text_expr) -%}
    case
        when {{ matches_pattern(text_expr, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$') }}
            then {{ try_cast_to(text_expr, 'double') }}
    end
{%- endmacro %}
