{#- The incremental config of a model whose rows belong to a reporting
    period's window (int_industry_periods_measured): a partition run
    recomputes the windows of the periods its days reach (the model selects
    them) and replaces their rows by `unique_key` (delete+insert). DuckDB and
    PostgreSQL; a first build and --full-refresh build the table whole. -#}
{% macro period_windows_incremental(unique_key) -%}
    {{ return(adapter.dispatch('period_windows_incremental', 'redcat')(unique_key)) }}
{%- endmacro %}

{% macro default__period_windows_incremental(unique_key) -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': unique_key,
    }) }}
{%- endmacro %}

{#- Spark: no delete on a Parquet table, and a period is no day partition to
    overwrite: the table is rebuilt whole. -#}
{% macro spark__period_windows_incremental(unique_key) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}
