{#- Text UTC epoch to a UTC `timestamp`; `unit` is 'ms' (xhs events) or 's'
    (jd orders). NULL unless the text is a non-negative whole number of at
    most 13 (ms) or 10 (s) digits, which keeps every value before 2286. -#}
{% macro epoch_to_utc(text_expr, unit) -%}
    {%- if unit == 'ms' -%}
        {%- set digits, millis = 13, 'cast(' ~ text_expr ~ ' as bigint)' -%}
    {%- elif unit == 's' -%}
        {%- set digits, millis = 10, 'cast(' ~ text_expr ~ ' as bigint) * 1000' -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("epoch_to_utc: unit must be 'ms' or 's', not " ~ unit) }}
    {%- endif -%}
    case
        when {{ matches_pattern(text_expr, '^[0-9]{1,' ~ digits ~ '}$') }}
            then {{ adapter.dispatch('epoch_to_utc', 'redcat')(millis) }}
    end
{%- endmacro %}

{#- Spark: timestamp_millis gives an instant in the session time zone. -#}
{% macro default__epoch_to_utc(millis_expr) -%}
    to_utc_timestamp(timestamp_millis({{ millis_expr }}), current_timezone())
{%- endmacro %}

{% macro duckdb__epoch_to_utc(millis_expr) -%}
    epoch_ms({{ millis_expr }})
{%- endmacro %}

{#- PostgreSQL: whole milliseconds added to the epoch, exact (to_timestamp
    goes through a double and a time zone). -#}
{% macro postgres__epoch_to_utc(millis_expr) -%}
    (cast('1970-01-01 00:00:00' as timestamp) + ({{ millis_expr }}) * interval '1 millisecond')
{%- endmacro %}
