{#- Money in yuan: two decimals, wide enough for any total the marts hold. -#}
{% macro type_money() -%}
    decimal(18,2)
{%- endmacro %}
