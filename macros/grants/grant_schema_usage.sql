{#- On-run-end hook: lets every role that a model built in this run grants
    SELECT to (dbt's `grants` config) use that model's schema. dbt grants
    SELECT on the relation only, and a role also needs USAGE on the schema to
    read it. Only the marts have a `grants` config (dbt_project.yml), so schema
    marts opens to the BI role and no other schema does: raw, raw_sample,
    staging and intermediate stay closed to it. Once per schema and run, after
    the models: concurrent GRANTs on one schema fail on PostgreSQL ("tuple
    concurrently updated"). DuckDB (BI reads the published copy) and a local
    Spark session have no roles: nothing to run there. -#}
{% macro grant_schema_usage(results) -%}
    {%- set readers_by_schema = {} -%}
    {%- for result in results
        if result.node.resource_type == 'model' and result.status == 'success' -%}
        {%- set readers = (result.node.config.grants or {}).get('select', []) -%}
        {%- set readers = [readers] if readers is string else readers -%}
        {%- for role in readers -%}
            {%- set roles = readers_by_schema.setdefault(result.node.schema, []) -%}
            {%- if role not in roles -%}
                {%- do roles.append(role) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('grant_schema_usage', 'redcat')(readers_by_schema)) }}
{%- endmacro %}

{% macro default__grant_schema_usage(readers_by_schema) -%}
    {%- for schema_name, roles in readers_by_schema.items() | sort %}
    grant usage on schema {{ adapter.quote(schema_name) }} to
        {%- for role in roles %} {{ adapter.quote(role) }}{{ ',' if not loop.last }}{% endfor %};
    {%- endfor %}
{%- endmacro %}

{% macro duckdb__grant_schema_usage(readers_by_schema) -%}
{%- endmacro %}

{% macro spark__grant_schema_usage(readers_by_schema) -%}
{%- endmacro %}
