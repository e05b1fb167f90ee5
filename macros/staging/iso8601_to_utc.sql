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
    time zone; to_utc_timestamp turns that back into the UTC wall clock. -#}
{% macro default__iso8601_to_utc(text_expr) -%}
    to_utc_timestamp(cast({{ text_expr }} as timestamp), current_timezone())
{%- endmacro %}

{% macro duckdb__iso8601_to_utc(text_expr) -%}
    timezone('UTC', try_cast({{ text_expr }} as timestamptz))
{%- endmacro %}
