{#- Pre-hook of the day-partitioned incremental models: on an incremental run,
    delete the rows the run rebuilds before the strategy inserts them again
    (every row whose date_column is in the window; every row when the run has
    no partition vars). Rows that disappear from the window (a view touch
    outranked by a late click, say) are deleted too, which a delete by
    unique_key alone would keep. Nothing on a first build or --full-refresh.
    extra_days: a model that rebuilds days before the window's own lookback. -#}
{% macro delete_partition_window(date_column, extra_days=0) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_partition_window(date_column, extra_days) }}
    {%- endif -%}
{%- endmacro %}
