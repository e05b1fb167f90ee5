{#- Spark reads the types the YAML declares through engine_data_type. These
    project macros take the place of dbt-spark's for adapter.dispatch (the
    root project's macros come first), translate the types, and hand over to
    dbt-spark's own implementation (or, for the contract, dbt's default). -#}

{#- The contract check: dbt casts NULL to each declared type and compares the
    result's schema with the model's. -#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set column = column.copy() -%}
        {%- if column.get('data_type') -%}
            {%- do column.update({'data_type': engine_data_type(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: column}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{%- endmacro %}

{#- Seeds: the declared column types, spelled for Spark, on a copy of the node. -#}
{% macro spark_seed_node(model) -%}
    {%- set column_types = {} -%}
    {%- for name, data_type in model['config'].get('column_types', {}).items() -%}
        {%- do column_types.update({name: engine_data_type(data_type)}) -%}
    {%- endfor -%}
    {%- set node_config = model['config'].copy() -%}
    {%- do node_config.update({'column_types': column_types}) -%}
    {%- set node = model.copy() -%}
    {%- do node.update({'config': node_config}) -%}
    {{ return(node) }}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) -%}
    {{ return(dbt.spark__create_csv_table(spark_seed_node(model), agate_table)) }}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) -%}
    {{ return(dbt.spark__load_csv_rows(spark_seed_node(model), agate_table)) }}
{%- endmacro %}
