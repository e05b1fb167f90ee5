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

{#- The relation raw_relation returns, found through the graph at execution
    time instead of by ref() and source(): for a model that reads the raw
    relation itself only on some runs (the partition run's scan in
    checked_rows) and declares only its base_ view, the one input its unit
    tests mock. Call it only while executing. -#}
{% macro raw_relation_in_graph(source_name, table_name) -%}
    {%- for node in graph.sources.values()
        if node.source_name == source_name and node.name == table_name -%}
        {%- set existing = adapter.get_relation(
            database=node.database,
            schema=node.schema,
            identifier=node.identifier,
        ) -%}
        {%- if existing is not none -%}
            {{- return(existing) -}}
        {%- endif -%}
    {%- endfor -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'seed' and node.name == source_name ~ '__' ~ table_name -%}
        {{- return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) -}}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        'raw_relation_in_graph: no source or seed ' ~ source_name ~ '__' ~ table_name
    ) }}
{%- endmacro %}
