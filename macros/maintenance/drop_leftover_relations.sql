{#- Drop the relations an interrupted build left behind, and say so.

    dbt builds a table as `<name>__dbt_tmp`, renames the old table to
    `<name>__dbt_backup`, renames the new one into place, commits, and only
    then drops the backup. A build killed between that commit and the drop
    leaves `<name>__dbt_backup` in the warehouse (docs/faults.md), where a
    BI user or the next run would trip on it. Run as the project's
    `on-run-start` hook, so every dbt command that builds (`dbt build`,
    `dbt run`, `redcat run`, Dagster) starts by removing them from the
    schemas the project writes. Uses the adapter's own listing and drop, so
    it works on every engine. -#}
{% macro drop_leftover_relations() -%}
    {%- if execute -%}
        {%- set suffixes = leftover_relation_suffixes() -%}
        {%- set dropped = [] -%}
        {%- set schemas = [] -%}
        {%- for node in graph.nodes.values() -%}
            {%- set key = (node.database, node.schema) -%}
            {%- if node.resource_type in ['model', 'seed', 'snapshot'] and key not in schemas -%}
                {%- do schemas.append(key) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for database, schema in schemas -%}
            {%- if adapter.check_schema_exists(database, schema) -%}
                {%- for row in schema_relations(database, schema) -%}
                    {%- for suffix in suffixes if row['name'].endswith(suffix) -%}
                        {%- set relation = api.Relation.create(
                            database=database, schema=schema, identifier=row['name'], type=row['type'],
                        ) -%}
                        {%- do adapter.drop_relation(relation) -%}
                        {%- do dropped.append(relation) -%}
                        {%- do log(
                            'redcat: dropped ' ~ schema ~ '.' ~ row['name']
                            ~ ', left behind by an interrupted build',
                            info=True,
                        ) -%}
                    {%- endfor -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
        {#- hooks run outside a transaction: the drops began one, commit it -#}
        {%- if dropped -%}
            {%- do adapter.commit() -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
