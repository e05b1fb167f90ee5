{#- Text `YYYY-MM-DD HH:MM:SS`, a wall clock in `time_zone` (xhs: Asia/Shanghai),
    to a UTC `timestamp`. NULL when the text is not a valid wall clock. -#}
{% macro wall_clock_to_utc(text_expr, time_zone) -%}
    case
        when {{ matches_pattern(text_expr, '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$') }}
            then {{ adapter.dispatch('wall_clock_to_utc', 'redcat')(
                try_cast_to(text_expr, dbt.type_timestamp()), time_zone
            ) }}
    end
{%- endmacro %}

{% macro default__wall_clock_to_utc(timestamp_expr, time_zone) -%}
    to_utc_timestamp({{ timestamp_expr }}, '{{ time_zone }}')
{%- endmacro %}

{#- timezone(zone, timestamp) reads a wall clock in `zone` as an instant, and
    timezone('UTC', instant) gives its UTC wall clock, whatever the session
    TimeZone is. -#}
{% macro duckdb__wall_clock_to_utc(timestamp_expr, time_zone) -%}
    timezone('UTC', timezone('{{ time_zone }}', {{ timestamp_expr }}))
{%- endmacro %}

{#- PostgreSQL: `timestamp at time zone zone` reads the wall clock in the zone
    as an instant, and `at time zone 'UTC'` gives that instant's UTC wall clock. -#}
{% macro postgres__wall_clock_to_utc(timestamp_expr, time_zone) -%}
    ((({{ timestamp_expr }}) at time zone '{{ time_zone }}') at time zone 'UTC')
{%- endmacro %}
