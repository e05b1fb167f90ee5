{#- The values an enumeration of the raw contract allows (var raw_contract,
    dbt_project.yml; src/redcat/contract.py reads the same var). Staging
    rejects any other value. -#}
{% macro contract_values(enumeration) -%}
    {%- set enumerations = var('raw_contract').enumerations -%}
    {%- if enumeration not in enumerations -%}
        {{ exceptions.raise_compiler_error('contract_values: unknown enumeration ' ~ enumeration) }}
    {%- endif -%}
    {{ return(enumerations[enumeration]) }}
{%- endmacro %}
