{#- A credit widened to the largest decimal, so that credit × money × 100
    cannot overflow while it is computed exactly. -#}
{% macro type_wide_credit() -%}
    decimal(38,12)
{%- endmacro %}
