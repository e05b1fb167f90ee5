{#- xhs events of users on notes that promote a brand, as attribution touches:
    click touches (read, like, save, comment, share, link_click) and view
    touches (impression). follow events are not touches. -#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **daily_partitioned_incremental('event_date', 'event_id'),
) }}

with

note_events as (
    select
        event_id,
        note_id,
        user_key,
        event_type,
        event_at,
        event_date
    from {{ ref('stg_xhs__note_events') }}
    where {{ in_partition_window('event_date') }}
),

seeding_notes as (
    select
        note_id,
        brand_account_id,
        industry,
        link_platform,
        is_ad
    from {{ ref('stg_xhs__notes') }}
    where brand_account_id is not null
),

brands as (
    select
        brand_account_id,
        brand_name,
        industry
    from {{ ref('int_brands_resolved') }}
),

touch_events as (
    select
        note_events.*,
        seeding_notes.brand_account_id,
        seeding_notes.link_platform,
        seeding_notes.is_ad,
        brands.brand_name,
        coalesce(seeding_notes.industry, brands.industry) as industry,
        case
            when note_events.event_type in ({{ sql_values_list(click_touch_event_types()) }})
                then 'click'
            else 'view'
        end as touch_kind
    from note_events
    inner join seeding_notes
        on note_events.note_id = seeding_notes.note_id
    left join brands
        on seeding_notes.brand_account_id = brands.brand_account_id
    where note_events.event_type in ({{ sql_values_list(touch_event_types()) }})
),

final as (
    select
        event_id,
        note_id,
        user_key as xhs_user_key,
        brand_account_id,
        brand_name,
        industry,
        link_platform,
        event_type,
        touch_kind,
        is_ad,
        event_date,
        event_at
    from touch_events
)

select * from final
