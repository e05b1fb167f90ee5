{#- True on an incremental run given the partition window (partition_start_date
    and partition_end_date, as vars or environment: see partition_bound); false
    on a first build, a --full-refresh, or a run without a window. The window
    is looked at first, so a unit test (which has no relation to be
    incremental on) never asks is_incremental(). -#}
{% macro is_partition_run() -%}
    {{- return(has_partition_window() and is_incremental()) -}}
{%- endmacro %}

{#- True when the run is given both bounds of a partition window (as vars or
    environment: see partition_bound), whatever is being built. -#}
{% macro has_partition_window() -%}
    {{- return(partition_bound('partition_start_date') is not none
        and partition_bound('partition_end_date') is not none) -}}
{%- endmacro %}
