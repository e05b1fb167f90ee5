{#- Money in yuan (decimal(18,2)) as whole fen, exactly. -#}
{% macro money_to_fen(money) -%}
    cast({{ money }} * 100 as {{ dbt.type_bigint() }})
{%- endmacro %}
