{#- Every raw table of the contract (var raw_contract) with its staging model,
    in contract order: what the quarantine, its row counts and the
    reconciliation test loop over. -#}
{% macro staged_raw_tables() -%}
    {%- set tables = [] -%}
    {%- for raw_table, table in var('raw_contract').tables.items() -%}
        {%- do tables.append({
            'raw_table': raw_table,
            'staging_model': table.get('staging_model', 'stg_' ~ raw_table),
        }) -%}
    {%- endfor -%}
    {{ return(tables) }}
{%- endmacro %}
