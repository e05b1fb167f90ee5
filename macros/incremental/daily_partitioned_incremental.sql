{#- The incremental config of a model whose rows belong to one local day
    (`date_column`): how an incremental run replaces the days it rebuilds
    (macro in_partition_window), per engine. Spread into the model's config:
    config(materialized='incremental', **daily_partitioned_incremental(...)).

    DuckDB and PostgreSQL: delete+insert on `unique_key`, after the pre-hook
    delete_partition_window has deleted every row of the window (so rows that
    disappear from it go too). extra_days: days before the window's start
    (partition_window_start) the model rebuilds as well; its select must
    return every row of them. -#}
{% macro daily_partitioned_incremental(date_column, unique_key, extra_days=0) -%}
    {{ return(adapter.dispatch('daily_partitioned_incremental', 'redcat')(
        date_column, unique_key, extra_days
    )) }}
{%- endmacro %}

{% macro default__daily_partitioned_incremental(date_column, unique_key, extra_days=0) -%}
    {{ return({
        'incremental_strategy': 'delete+insert',
        'unique_key': unique_key,
        'pre_hook': "{{ delete_partition_window('" ~ date_column ~ "', " ~ extra_days ~ ") }}",
    }) }}
{%- endmacro %}

{#- Spark: a Parquet table (+file_format in dbt_project.yml) partitioned by
    the day, and insert_overwrite with dynamic partition overwrite: every day
    the run's select returns replaces that day's partition whole (merge and
    delete need Delta or Iceberg). The
    select of an incremental run returns every day of its window, so a day is
    replaced with all its rows; a day of the window left with no row at all
    keeps its old partition (docs/scaling.md). -#}
{% macro spark__daily_partitioned_incremental(date_column, unique_key, extra_days=0) -%}
    {{ return({
        'incremental_strategy': 'insert_overwrite',
        'partition_by': [date_column],
    }) }}
{%- endmacro %}
