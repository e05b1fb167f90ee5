{#- Stands in for an open end of a validity period (valid_to is null). -#}
{% macro far_future_date() -%}
    cast('9999-12-31' as date)
{%- endmacro %}
