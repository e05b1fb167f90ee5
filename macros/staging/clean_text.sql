{#- Delivered text, trimmed; an empty or blank field is NULL (docs/sources.md:
    empty field = NULL). -#}
{% macro clean_text(text_expr) -%}
    nullif(trim({{ text_expr }}), '')
{%- endmacro %}
