{#- The value, or null when the row is suppressed for privacy. -#}
{% macro suppress_if(is_suppressed, value) -%}
    case when {{ is_suppressed }} then null else {{ value }} end
{%- endmacro %}
