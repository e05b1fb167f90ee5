{#- The first local day an incremental partition run rebuilds, as a SQL date:
    partition_bound('partition_start_date') minus partition_lookback_days() minus
    extra_days (an input read further back, e.g. the touches of the orders
    being rebuilt). -#}
{% macro partition_window_start(extra_days=0) -%}
    cast('{{ partition_window_first_day(extra_days).isoformat() }}' as date)
{%- endmacro %}

{#- partition_window_start as a Python date, for macros that compute with
    the day itself (raw_epoch_prefilter). -#}
{% macro partition_window_first_day(extra_days=0) -%}
    {%- set start = modules.datetime.date.fromisoformat(partition_bound('partition_start_date')) -%}
    {{- return(start - modules.datetime.timedelta(days=partition_lookback_days() + extra_days)) -}}
{%- endmacro %}
