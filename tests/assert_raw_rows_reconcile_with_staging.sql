{#- Nothing disappears in staging: for every raw table, the rows delivered
    equal the rows accepted by its staging model plus the rows quarantined
    (on a daily partition run: at least as many, the rest not checked yet),
    and stg_quarantine__row_counts reports exactly these figures. Returns the
    tables that do not reconcile. -#}
{%- set partition_run = has_partition_window() -%}
with

raw_counts as (

    {% for table in staged_raw_tables() %}
        select
            '{{ table.raw_table }}' as source_table,
            count(*) as raw_rows
        from {{ ref('base_' ~ table.raw_table) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

accepted_counts as (

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

quarantined_counts as (

    select
        source_table,
        count(*) as quarantined_rows
    from rejected_rows
    group by source_table

),

reported as (

    select
        source_table,
        raw_rows,
        accepted_rows,
        quarantined_rows,
        unchecked_rows
    from {{ ref('stg_quarantine__row_counts') }}

),

recounted as (

    select
        raw_counts.source_table,
        raw_counts.raw_rows,
        accepted_counts.accepted_rows,
        coalesce(quarantined_counts.quarantined_rows, 0) as quarantined_rows
    from raw_counts
    inner join accepted_counts
        on raw_counts.source_table = accepted_counts.source_table
    left join quarantined_counts
        on raw_counts.source_table = quarantined_counts.source_table

),

not_reconciled as (

    select
        recounted.source_table,
        recounted.raw_rows,
        recounted.accepted_rows,
        recounted.quarantined_rows,
        reported.raw_rows as reported_raw_rows,
        reported.accepted_rows as reported_accepted_rows,
        reported.quarantined_rows as reported_quarantined_rows,
        reported.unchecked_rows as reported_unchecked_rows
    from recounted
    left join reported
        on recounted.source_table = reported.source_table
    where
        recounted.raw_rows {{ '<' if partition_run else '<>' }} recounted.accepted_rows + recounted.quarantined_rows
        or reported.source_table is null
        or reported.unchecked_rows <> recounted.raw_rows - recounted.accepted_rows - recounted.quarantined_rows
        or reported.raw_rows <> recounted.raw_rows
        or reported.accepted_rows <> recounted.accepted_rows
        or reported.quarantined_rows <> recounted.quarantined_rows

)

select * from not_reconciled
