{#- Every column of every relation in `schema_name`, as a relation with
    table_name and column_name (lower case), read from the warehouse at
    execution time. -#}
{% macro schema_columns(schema_name) -%}
    {{ return(adapter.dispatch('schema_columns', 'redcat')(schema_name)) }}
{%- endmacro %}

{% macro default__schema_columns(schema_name) -%}
    select
        table_name,
        lower(column_name) as column_name
    from information_schema.columns
    where lower(table_schema) = '{{ schema_name }}'
{%- endmacro %}

{#- Spark's Hive catalog has no information_schema: the columns are listed
    through the adapter (DESCRIBE of each relation) when the query is
    compiled, and written out as a values list. -#}
{% macro spark__schema_columns(schema_name) -%}
    {%- set pairs = [] -%}
    {%- if execute -%}
        {%- for found in schema_relations(none, schema_name) -%}
            {%- set relation = api.Relation.create(schema=schema_name, identifier=found['name']) -%}
            {%- for column in adapter.get_columns_in_relation(relation) -%}
                {%- do pairs.append((found['name'], column.name | lower)) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if pairs -%}
        {%- for table_name, column_name in pairs %}
    select '{{ table_name }}' as table_name, '{{ column_name }}' as column_name
            {%- if not loop.last %}
    union all
            {%- endif -%}
        {%- endfor -%}
    {%- else %}
    select cast(null as string) as table_name, cast(null as string) as column_name
    where 1 = 0
    {%- endif -%}
{%- endmacro %}
