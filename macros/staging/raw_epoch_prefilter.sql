{#- A cheap first filter for a partition run's scan of a raw time column
    delivered as an integer epoch (`column`: a raw contract column with
    encoding epoch_ms or epoch_s; `raw_expr`: the raw integer column, before
    any cast to text): a predicate on the integer itself, which DuckDB checks
    against each row group's min/max and skips most of a table delivered in
    time order. It keeps a superset of the rows checked_rows_window keeps:
    NULL, negative or too many digits (does not parse), at or before
    plausible_first_day, at or after the build's start plus
    plausible_clock_skew_minutes, or within a day (more than any time zone's
    offset) of the partition window's UTC bounds. checked_rows_window then
    decides exactly on the rows it keeps. -#}
{% macro raw_epoch_prefilter(column, raw_expr) -%}
    {%- set unit_ms = {'epoch_ms': 1, 'epoch_s': 1000}[column.encoding] -%}
    {%- set largest = {'epoch_ms': 9999999999999, 'epoch_s': 9999999999}[column.encoding] -%}
    {%- set epoch = modules.datetime.date(1970, 1, 1) -%}
    {%- set day_ms = 86400000 -%}
    {%- set first_ms = (modules.datetime.date.fromisoformat(var('plausible_first_day')) - epoch).days * day_ms -%}
    {#- run_started_at is UTC, as in build_started_at -#}
    {%- set started_s = (run_started_at.replace(tzinfo=none) - modules.datetime.datetime(1970, 1, 1)).total_seconds() | int -%}
    {%- set future_ms = started_s * 1000 + (var('plausible_clock_skew_minutes') | int) * 60000 -%}
    {%- set window_low_ms = (partition_window_first_day() - epoch).days * day_ms - day_ms -%}
    {%- set window_high_ms = (partition_window_end_day() - epoch).days * day_ms + day_ms -%}
    ({{ raw_expr }} is null
        or {{ raw_expr }} < 0
        or {{ raw_expr }} > {{ largest }}
        or {{ raw_expr }} <= {{ -((-first_ms) // unit_ms) }}
        or {{ raw_expr }} >= {{ future_ms // unit_ms }}
        or {{ raw_expr }} between {{ window_low_ms // unit_ms }} and {{ -((-window_high_ms) // unit_ms) }})
{%- endmacro %}
