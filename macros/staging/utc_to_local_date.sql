{#- A UTC `timestamp` to the local calendar `date` in `time_zone`, by default
    the business day (var business_time_zone, Asia/Shanghai): between 00:00
    and 08:00 Shanghai time the local date is one day after the UTC date. -#}
{% macro utc_to_local_date(timestamp_expr, time_zone=none) -%}
    {{ return(adapter.dispatch('utc_to_local_date', 'redcat')(timestamp_expr, time_zone or var('business_time_zone'))) }}
{%- endmacro %}

{% macro default__utc_to_local_date(timestamp_expr, time_zone) -%}
    cast(from_utc_timestamp({{ timestamp_expr }}, '{{ time_zone }}') as date)
{%- endmacro %}

{% macro duckdb__utc_to_local_date(timestamp_expr, time_zone) -%}
    cast(timezone('{{ time_zone }}', timezone('UTC', {{ timestamp_expr }})) as date)
{%- endmacro %}

{#- PostgreSQL: `at time zone 'UTC'` reads the timestamp as a UTC instant, and
    `at time zone zone` gives that instant's wall clock in the zone. -#}
{% macro postgres__utc_to_local_date(timestamp_expr, time_zone) -%}
    cast((({{ timestamp_expr }}) at time zone 'UTC') at time zone '{{ time_zone }}' as date)
{%- endmacro %}
