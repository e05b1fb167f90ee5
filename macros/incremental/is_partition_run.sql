{#- True on an incremental run given the partition vars (partition_start_date,
    partition_end_date); false on a first build, a --full-refresh, or a run
    without the vars. The vars are looked at first, so a unit test (which has
    no relation to be incremental on) never asks is_incremental(). -#}
{% macro is_partition_run() -%}
    {%- set has_window = var('partition_start_date', none) is not none
        and var('partition_end_date', none) is not none -%}
    {{- return(has_window and is_incremental()) -}}
{%- endmacro %}
