{#- Per raw table: rows delivered (base view), accepted (staging model),
    quarantined, and not checked yet: raw_rows = accepted_rows +
    quarantined_rows + unchecked_rows, always. unchecked_rows is 0 after a full
    build; after a daily partition run it counts the delivered rows its window
    did not reach (rows of older days, which the next full build checks). -#}
with

raw_row_counts as (

    {% for table in staged_raw_tables() %}
        select
            '{{ table.raw_table }}' as source_table,
            count(*) as raw_rows
        from {{ ref('base_' ~ table.raw_table) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

accepted_row_counts as (

    {% for table in staged_raw_tables() %}
        select
            '{{ table.raw_table }}' as source_table,
            count(*) as accepted_rows
        from {{ ref(table.staging_model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

rejected_rows as (

    select source_table
    from {{ ref('stg_quarantine__rejected_rows') }}

),

quarantined_row_counts as (

    select
        source_table,
        count(*) as quarantined_rows
    from rejected_rows
    group by source_table

),

counted as (

    select
        raw_row_counts.source_table,
        raw_row_counts.raw_rows,
        accepted_row_counts.accepted_rows,
        coalesce(quarantined_row_counts.quarantined_rows, 0) as quarantined_rows
    from raw_row_counts
    inner join accepted_row_counts
        on raw_row_counts.source_table = accepted_row_counts.source_table
    left join quarantined_row_counts
        on raw_row_counts.source_table = quarantined_row_counts.source_table

),

final as (

    select
        source_table,
        raw_rows,
        accepted_rows,
        quarantined_rows,
        raw_rows - accepted_rows - quarantined_rows as unchecked_rows
    from counted

)

select * from final
