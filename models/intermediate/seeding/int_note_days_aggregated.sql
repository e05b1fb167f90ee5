{#- Event counts per note and local day, for every note that had events. -#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **daily_partitioned_incremental('local_date', 'note_day_id'),
) }}

with

note_events as (
    select
        note_id,
        event_type,
        event_date
    from {{ ref('stg_xhs__note_events') }}
    where {{ in_partition_window('event_date') }}
),

notes as (
    select
        note_id,
        brand_account_id,
        industry,
        is_ad
    from {{ ref('stg_xhs__notes') }}
),

brands as (
    select
        brand_account_id,
        industry
    from {{ ref('int_brands_resolved') }}
),

daily_counts as (
    select
        note_id,
        event_date,
        sum(case when event_type = 'impression' then 1 else 0 end) as impressions,
        sum(case when event_type = 'read' then 1 else 0 end) as reads,
        sum(case when event_type = 'like' then 1 else 0 end) as likes,
        sum(case when event_type = 'save' then 1 else 0 end) as saves,
        sum(case when event_type = 'comment' then 1 else 0 end) as comments,  -- noqa: RF04
        sum(case when event_type = 'share' then 1 else 0 end) as shares,  -- noqa: RF04
        sum(case when event_type = 'follow' then 1 else 0 end) as follows,
        sum(case when event_type = 'link_click' then 1 else 0 end) as link_clicks
    from note_events
    group by
        note_id,
        event_date
),

final as (
    select
        {{ dbt.concat(["daily_counts.note_id", "'|'", "cast(daily_counts.event_date as " ~ dbt.type_string() ~ ")"]) }}
            as note_day_id,
        daily_counts.note_id,
        notes.brand_account_id,
        coalesce(notes.industry, brands.industry) as industry,
        cast(daily_counts.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(daily_counts.reads as {{ dbt.type_bigint() }}) as reads,
        cast(daily_counts.likes as {{ dbt.type_bigint() }}) as likes,
        cast(daily_counts.saves as {{ dbt.type_bigint() }}) as saves,
        cast(daily_counts.comments as {{ dbt.type_bigint() }}) as comments,  -- noqa: RF04
        cast(daily_counts.shares as {{ dbt.type_bigint() }}) as shares,  -- noqa: RF04
        cast(daily_counts.follows as {{ dbt.type_bigint() }}) as follows,
        cast(daily_counts.link_clicks as {{ dbt.type_bigint() }}) as link_clicks,
        notes.brand_account_id is not null as is_seeding_note,
        coalesce(notes.is_ad, false) as is_ad,
        daily_counts.event_date as local_date
    from daily_counts
    left join notes
        on daily_counts.note_id = notes.note_id
    left join brands
        on notes.brand_account_id = brands.brand_account_id
)

select * from final
