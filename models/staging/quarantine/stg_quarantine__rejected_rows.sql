{{ config(materialized='table') }}

{#- Every raw row that broke the source contract, with the rule that rejected
    it: one row per rejected raw row, from every base_<source>__<table>_checked. -#}
with

rejected_rows as (

    {% for table in staged_raw_tables() %}
        select
            '{{ table.raw_table }}' as source_table,
            rejection_rule,
            row_key,
            raw_row
        from {{ ref('base_' ~ table.raw_table ~ '_checked') }}
        where rejection_rule is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from rejected_rows
