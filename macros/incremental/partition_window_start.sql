{#- The first local day an incremental partition run rebuilds, as a SQL date:
    partition_bound('partition_start_date') minus partition_lookback_days() minus
    extra_days (an input read further back, e.g. the touches of the orders
    being rebuilt). -#}
{% macro partition_window_start(extra_days=0) -%}
    {%- set start = modules.datetime.date.fromisoformat(partition_bound('partition_start_date')) -%}
    {%- set first_day = start - modules.datetime.timedelta(days=partition_lookback_days() + extra_days) -%}
    cast('{{ first_day.isoformat() }}' as date)
{%- endmacro %}
