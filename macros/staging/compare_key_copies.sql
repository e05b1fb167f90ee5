{#- Compares the copies of each key in `relation`, which has a `raw_row` and a
    `key_copies` column (count(*) over the key). Adds `copy_number` (1 for
    the first copy) and `has_conflicting_copies` (the copies of the key are
    not all identical). `also_compare` lists columns whose values the copies
    must share too: the hash columns, whose invalid values raw_row only
    describes (redact_invalid_hash), so two different raw ids of the same
    length look alike there. Keys delivered once, almost all of them, skip the
    windows: sorting every row by key and raw row is the costly part. -#}
{% macro compare_key_copies(relation, key_columns, also_compare=[]) -%}
    {%- set key = key_columns | join(', ') -%}
    select
        *,
        1 as copy_number,
        false as has_conflicting_copies
    from {{ relation }}
    where key_copies = 1

    union all

    select
        *,
        row_number() over (partition by {{ key }} order by raw_row) as copy_number,
        min(raw_row) over (partition by {{ key }})
        <> max(raw_row) over (partition by {{ key }})
        {%- for column in also_compare %}
        or coalesce(
            min({{ column }}) over (partition by {{ key }})
            <> max({{ column }}) over (partition by {{ key }}),
            false
        )
        {%- endfor %} as has_conflicting_copies
    from {{ relation }}
    where key_copies > 1
{%- endmacro %}
