{#- Whole fen as money in yuan, decimal(18,2), exactly. -#}
{% macro fen_to_money(fen) -%}
    cast(cast({{ fen }} as {{ dbt.type_bigint() }}) * 0.01 as {{ type_money() }})
{%- endmacro %}
