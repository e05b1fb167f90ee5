{#- Name suffixes of the relations dbt builds under a temporary name. -#}
{% macro leftover_relation_suffixes() -%}
    {{ return(['__dbt_backup', '__dbt_tmp']) }}
{%- endmacro %}
