{#- True when the text is one of the contract's values for `enumeration`
    (see contract_values); comparison is exact, case included. -#}
{% macro in_contract_values(text_expr, enumeration) -%}
    {{ text_expr }} in ('{{ contract_values(enumeration) | join("', '") }}')
{%- endmacro %}
