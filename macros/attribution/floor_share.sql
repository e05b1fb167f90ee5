{#- floor(total × part ÷ whole) for non-negative whole numbers, exactly: the
    fen a share of `part` out of `whole` gets of `total` fen, rounded down.
    The product is formed in a 38-digit integer type, so it never overflows
    or loses a digit (a double would, past 2^53), and the division is an
    integer division. Dispatched: each engine spells integer division its
    own way. -#}
{% macro floor_share(total, part, whole) -%}
    {{ return(adapter.dispatch('floor_share', 'redcat')(total, part, whole)) }}
{%- endmacro %}

{% macro default__floor_share(total, part, whole) -%}
    cast(div(
        cast({{ total }} as numeric(38, 0)) * cast({{ part }} as numeric(38, 0)),
        cast({{ whole }} as numeric(38, 0))
    ) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__floor_share(total, part, whole) -%}
    cast(
        (cast({{ total }} as hugeint) * cast({{ part }} as hugeint)) // cast({{ whole }} as hugeint)
        as {{ dbt.type_bigint() }}
    )
{%- endmacro %}

{% macro spark__floor_share(total, part, whole) -%}
    cast(
        (cast({{ total }} as decimal(38, 0)) * cast({{ part }} as decimal(38, 0)))
        div cast({{ whole }} as decimal(38, 0))
        as {{ dbt.type_bigint() }}
    )
{%- endmacro %}
