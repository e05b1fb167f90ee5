{#- Delivered text, trimmed; an empty or blank field is NULL (SOURCES.md:
    empty field = NULL). -#}
{% macro clean_text(text_expr) -%}
    nullif(trim({{ text_expr }}), '')
{%- endmacro %}
