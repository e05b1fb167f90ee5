{#- The raw relation a base_ view reads: the loaded `raw.<source>__<table>`
    (written by `redcat load`) when it exists in the warehouse at execution
    time, else the committed seed `<source>__<table>` in schema raw_sample.
    Both are always referenced so the DAG knows the source and the seed. -#}
{% macro raw_relation(source_name, table_name) -%}
    {%- set loaded = source(source_name, table_name) -%}
    {%- set sample = ref(source_name ~ '__' ~ table_name) -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(
            database=loaded.database,
            schema=loaded.schema,
            identifier=loaded.identifier,
        ) -%}
        {%- if existing is not none -%}
            {{- return(loaded) -}}
        {%- endif -%}
    {%- endif -%}
    {{- return(sample) -}}
{%- endmacro %}
