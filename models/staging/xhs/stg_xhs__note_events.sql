{#- Accepted rows of xhs/note_events: parsed, typed and checked in
    base_xhs__note_events_checked; rejected rows are in the quarantine. -#}
with

checked_note_events as (

    select
        event_id,
        note_id,
        user_key,
        event_type,
        event_at,
        event_date,
        rejection_rule
    from {{ ref('base_xhs__note_events_checked') }}

),

accepted_note_events as (

    select
        event_id,
        note_id,
        user_key,
        event_type,
        event_at,
        event_date
    from checked_note_events
    where rejection_rule is null

)

select * from accepted_note_events
