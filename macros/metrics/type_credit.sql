{#- An attribution credit: an exact decimal, so that the credits of an order
    and model add up to exactly 1. -#}
{% macro type_credit() -%}
    decimal(18,12)
{%- endmacro %}
