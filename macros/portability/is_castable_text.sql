{#- True when cast(text_expr as data_type) succeeds on PostgreSQL, false
    otherwise (NULL text included). PostgreSQL has no try_cast and a failing
    cast fails the whole statement, so postgres__try_cast_to and
    postgres__iso8601_to_utc cast only behind this guard. The guard cannot fail
    itself: each cast inside it runs in a CASE branch reached only after the
    text's shape was checked. Where PostgreSQL accepts more than DuckDB's
    try_cast (second 60), the guard refuses as DuckDB does; where it accepts
    less (year 0000, an offset beyond ±15:59, a double beyond its range), the
    value is NULL and staging quarantines the row. Both take 24:00:00 as the
    next midnight. Types: date, timestamp, timestamptz, smallint, integer,
    bigint, double precision. -#}
{% macro is_castable_text(text_expr, data_type) -%}
    {%- set kind = data_type | trim | lower -%}
    {%- set day = '[0-9]{4}-[0-9]{2}-[0-9]{2}' -%}
    {%- set clock = '[T ](([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]+)?|24:00:00([.]0+)?)' -%}
    {%- set offset = '(Z|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?)' -%}
    {%- set integer_ranges = {
        'smallint': ('-32768', '32767'),
        'integer': ('-2147483648', '2147483647'),
        'int': ('-2147483648', '2147483647'),
        'bigint': ('-9223372036854775808', '9223372036854775807'),
    } -%}
    {#- the first ten characters are a real calendar day: day 1 of the month
        plus (day - 1) days lands on the same text only when the day exists -#}
    {%- set calendar_day -%}
        case
            when substr({{ text_expr }}, 1, 4) <> '0000'
                and substr({{ text_expr }}, 6, 2) between '01' and '12'
                then to_char(
                    cast(substr({{ text_expr }}, 1, 8) || '01' as date)
                    + (cast(substr({{ text_expr }}, 9, 2) as integer) - 1),
                    'YYYY-MM-DD'
                ) = substr({{ text_expr }}, 1, 10)
            else false
        end
    {%- endset -%}
    {%- if kind == 'date' -%}
        {%- set shape, check = '^' ~ day ~ '$', calendar_day -%}
    {%- elif kind in ('timestamp', 'timestamp without time zone') -%}
        {%- set shape, check = '^' ~ day ~ clock ~ '$', calendar_day -%}
    {%- elif kind in ('timestamptz', 'timestamp with time zone') -%}
        {%- set shape, check = '^' ~ day ~ clock ~ offset ~ '$', calendar_day -%}
    {%- elif kind in integer_ranges -%}
        {%- set low, high = integer_ranges[kind] -%}
        {%- set shape = '^[+-]?[0-9]{1,40}$' -%}
        {%- set check = 'cast(' ~ text_expr ~ ' as numeric) between ' ~ low ~ ' and ' ~ high -%}
    {%- elif kind in ('double precision', 'float8') -%}
        {%- set shape = '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$' -%}
        {%- set check -%}
            cast({{ text_expr }} as numeric) = 0
            or abs(cast({{ text_expr }} as numeric))
            between 2.2250738585072014e-308 and 1.7976931348623157e308
        {%- endset -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error('is_castable_text: no guard for type ' ~ data_type) }}
    {%- endif -%}
    (case when {{ matches_pattern(text_expr, shape) }} then ({{ check }}) else false end)
{%- endmacro %}
