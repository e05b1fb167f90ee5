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

{#- Seed rows as literals. dbt-spark's own version passes the values as
    bindings, which its session method formats into the SQL with Python's `%`:
    an empty field (None) arrives as the text 'None' and a quote breaks the
    statement. Here NULL is null and text is a quoted literal, backslash and
    quote escaped. -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_types = spark_seed_node(model)['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            (
                {%- for column_name in agate_table.column_names -%}
                    {%- set data_type = column_types.get(
                        column_name, adapter.convert_type(agate_table, loop.index0)
                    ) -%}
                    cast({{ spark_seed_literal(row[loop.index0]) }} as {{ data_type }})
                    {{- ', ' if not loop.last }}
                {%- endfor -%}
            ){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ (value | string).replace('\\', '\\\\').replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
