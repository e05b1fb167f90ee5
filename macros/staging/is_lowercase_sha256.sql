{#- True when the text is exactly 64 lowercase hex characters, the only shape
    a hashed user key may have. -#}
{% macro is_lowercase_sha256(text_expr) -%}
    {{ matches_pattern(text_expr, '^[0-9a-f]{64}$') }}
{%- endmacro %}
