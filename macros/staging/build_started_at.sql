{#- The start of this dbt invocation as a UTC `timestamp` literal: the "now"
    that raw times may not be later than. -#}
{% macro build_started_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
