{#- The relations in a schema as a list of {'name', 'type'} (type 'table' or
    'view'), listed by the adapter without its cache. -#}
{% macro schema_relations(database, schema) -%}
    {%- set schema_relation = api.Relation.create(database=database, schema=schema) -%}
    {{ return(adapter.dispatch('schema_relations', 'redcat')(schema_relation)) }}
{%- endmacro %}

{#- DuckDB and PostgreSQL: rows of (database, name, schema, type). -#}
{% macro default__schema_relations(schema_relation) -%}
    {%- set found = [] -%}
    {%- for row in list_relations_without_caching(schema_relation) -%}
        {%- do found.append({'name': row['name'], 'type': row['type']}) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#- Spark: rows of `show table extended` (namespace, tableName, isTemporary,
    information), the type a line `Type: VIEW` or `Type: MANAGED` of the
    information. -#}
{% macro spark__schema_relations(schema_relation) -%}
    {%- set found = [] -%}
    {%- for row in list_relations_without_caching(schema_relation) -%}
        {%- set is_view = 'Type: VIEW' in row['information'] -%}
        {%- do found.append({'name': row['tableName'], 'type': 'view' if is_view else 'table'}) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}
