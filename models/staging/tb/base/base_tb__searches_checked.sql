{{ config(materialized='table') }}

with

searches as (

    select
        search_id,
        buyer_key,
        query,
        searched_at
    from {{ ref('base_tb__searches') }}

),

delivered as (

    select
        {{ clean_text('search_id') }} as search_id,
        {{ clean_text('buyer_key') }} as buyer_key,
        {{ clean_text('query') }} as query_text,
        {{ clean_text('searched_at') }} as searched_at_text,
        {{ raw_row_json('searches', [
            'search_id', 'buyer_key', 'query', 'searched_at',
        ], hash_columns=['buyer_key']) }} as raw_row
    from searches

),

copies_counted as (

    select
        *,
        count(*) over (partition by search_id) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['search_id'], also_compare=['buyer_key']) }}

),

parsed as (

    select
        *,
        {{ iso8601_to_utc('searched_at_text') }} as searched_at
    from copies_compared

),

checked as (

    select
        *,
        case
            when search_id is null then 'search_id_missing'
            when buyer_key is null then 'buyer_key_missing'
            when query_text is null then 'query_missing'
            when searched_at_text is null then 'searched_at_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'duplicate_row'
            when not {{ is_lowercase_sha256('buyer_key') }} then 'buyer_key_not_64_lowercase_hex'
            when searched_at is null then 'searched_at_not_iso8601_with_offset'
            when searched_at > {{ build_started_at() }} then 'searched_at_in_future'
        end as rejection_rule
    from parsed

),

final as (

    select
        search_id,
        case when {{ is_lowercase_sha256('buyer_key') }} then buyer_key end as buyer_key,
        query_text,
        searched_at,
        {{ utc_to_local_date('searched_at') }} as searched_date,
        rejection_rule,
        search_id as row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
