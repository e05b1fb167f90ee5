{{ config(materialized='table') }}

with

visits as (

    select
        visit_id,
        shop_id,
        buyer_key,
        visit_at,
        channel,
        ref_note_id
    from {{ ref('base_tb__visits') }}

),

delivered as (

    select
        {{ clean_text('visit_id') }} as visit_id,
        {{ clean_text('shop_id') }} as shop_id,
        {{ clean_text('buyer_key') }} as buyer_key,
        {{ clean_text('visit_at') }} as visit_at_text,
        {{ clean_text('channel') }} as channel,
        {{ clean_text('ref_note_id') }} as ref_note_id,
        {{ raw_row_json('visits', [
            'visit_id', 'shop_id', 'buyer_key', 'visit_at', 'channel', 'ref_note_id',
        ], hash_columns=['buyer_key']) }} as raw_row
    from visits

),

copies_counted as (

    select
        *,
        count(*) over (partition by visit_id) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['visit_id'], also_compare=['buyer_key']) }}

),

parsed as (

    select
        *,
        {{ iso8601_to_utc('visit_at_text') }} as visited_at
    from copies_compared

),

checked as (

    select
        *,
        case
            when visit_id is null then 'visit_id_missing'
            when shop_id is null then 'shop_id_missing'
            when buyer_key is null then 'buyer_key_missing'
            when visit_at_text is null then 'visit_at_missing'
            when channel is null then 'channel_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'duplicate_row'
            when not {{ is_lowercase_sha256('buyer_key') }} then 'buyer_key_not_64_lowercase_hex'
            when not {{ in_contract_values('channel', 'tb_channels') }}
                then 'channel_not_in_contract'
            when visited_at is null then 'visit_at_not_iso8601_with_offset'
            when visited_at > {{ build_started_at() }} then 'visit_at_in_future'
        end as rejection_rule
    from parsed

),

final as (

    select
        visit_id,
        shop_id,
        case when {{ is_lowercase_sha256('buyer_key') }} then buyer_key end as buyer_key,
        channel,
        ref_note_id,
        visited_at,
        {{ utc_to_local_date('visited_at') }} as visited_date,
        rejection_rule,
        visit_id as row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
