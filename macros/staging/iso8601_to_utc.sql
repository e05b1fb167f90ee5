{#- Text ISO 8601 with an explicit offset (`2025-05-13T20:00:00+08:00`, `Z`,
    `-05:00`, `+0800`, optional fraction of a second) to a UTC `timestamp`.
    NULL when the text is not such a string: a time without offset is
    ambiguous. -#}
{% macro iso8601_to_utc(text_expr) -%}
    case
        when {{ matches_pattern(
            text_expr,
            '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,9})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$'
        ) }}
            then {{ adapter.dispatch('iso8601_to_utc', 'redcat')(text_expr) }}
    end
{%- endmacro %}

{#- Spark: a string with an offset casts to an instant, shown in the session
    time zone; to_utc_timestamp turns that back into the UTC wall clock.
    try_cast: in ANSI mode (Spark 4's default) an impossible value would fail
    the query. -#}
{% macro default__iso8601_to_utc(text_expr) -%}
    to_utc_timestamp(try_cast({{ text_expr }} as timestamp), current_timezone())
{%- endmacro %}

{% macro duckdb__iso8601_to_utc(text_expr) -%}
    timezone('UTC', try_cast({{ text_expr }} as timestamptz))
{%- endmacro %}

{#- PostgreSQL: the text casts to timestamptz (an instant; the offset is
    read), and `at time zone 'UTC'` gives its UTC wall clock, whatever the
    session TimeZone. The cast runs only when it cannot fail (a valid calendar
    day, hour, minute, second and offset), so a bad value is NULL. Digits past
    the microsecond are cut, as DuckDB does (PostgreSQL would round them). -#}
{% macro postgres__iso8601_to_utc(text_expr) -%}
    case
        when {{ is_castable_text(text_expr, 'timestamptz') }}
            then (
                cast(regexp_replace({{ text_expr }}, '([.][0-9]{6})[0-9]+', '\1') as timestamptz)
                at time zone 'UTC'
            )
    end
{%- endmacro %}
