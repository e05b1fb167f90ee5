{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **daily_partitioned_incremental('local_date', 'note_day_id'),
) }}

with

note_days as (
    select
        note_day_id,
        note_id,
        brand_account_id,
        industry,
        impressions,
        reads,
        likes,
        saves,
        comments,
        shares,
        follows,
        link_clicks,
        is_seeding_note,
        is_ad,
        local_date
    from {{ ref('int_note_days_aggregated') }}
    where {{ in_partition_window('local_date') }}
),

final as (
    select
        note_day_id,
        note_id,
        brand_account_id,
        industry,
        impressions,
        reads,
        likes,
        saves,
        comments,
        shares,
        follows,
        link_clicks,
        {{ safe_divide('reads', 'impressions') }} as ctr,
        {{ safe_divide('likes + saves + comments + shares', 'impressions') }} as interaction_rate,
        is_seeding_note,
        is_ad,
        local_date
    from note_days
)

select * from final
