{{ config(materialized='table') }}

with

note_events as (

    select
        event_id,
        note_id,
        user_key,
        event_type,
        event_ms
    from {{ ref('base_xhs__note_events') }}

),

delivered as (

    select
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('note_id') }} as note_id,
        {{ clean_text('user_key') }} as user_key,
        {{ clean_text('event_type') }} as event_type,
        {{ clean_text('event_ms') }} as event_ms,
        {{ raw_row_json('note_events', [
            'event_id', 'note_id', 'user_key', 'event_type', 'event_ms',
        ], hash_columns=['user_key']) }} as raw_row
    from note_events

),

-- the platform re-sends events: identical copies of an event_id are one
-- event; copies that differ cannot be told apart and are all rejected
copies_counted as (

    select
        *,
        count(*) over (partition by event_id) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['event_id'], also_compare=['user_key']) }}

),

parsed as (

    select
        *,
        {{ epoch_to_utc('event_ms', 'ms') }} as event_at
    from copies_compared

),

checked as (

    select
        *,
        case
            when event_id is null then 'event_id_missing'
            when note_id is null then 'note_id_missing'
            when user_key is null then 'user_key_missing'
            when event_type is null then 'event_type_missing'
            when event_ms is null then 'event_ms_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'resent_duplicate'
            when not {{ is_lowercase_sha256('user_key') }} then 'user_key_not_64_lowercase_hex'
            when not {{ in_contract_values('event_type', 'event_types') }}
                then 'event_type_not_in_contract'
            when event_at is null then 'event_ms_not_epoch_milliseconds'
            when event_at > {{ build_started_at() }} then 'event_ms_in_future'
        end as rejection_rule
    from parsed

),

final as (

    select
        event_id,
        note_id,
        case when {{ is_lowercase_sha256('user_key') }} then user_key end as user_key,
        event_type,
        event_at,
        {{ utc_to_local_date('event_at') }} as event_date,
        rejection_rule,
        event_id as row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
