{{ config(materialized='table') }}

with

user_matches as (

    select
        xhs_user_key,
        platform,
        platform_user_key,
        match_method,
        confidence,
        matched_at
    from {{ ref('base_shared__user_matches') }}

),

delivered as (

    select
        {{ clean_text('xhs_user_key') }} as xhs_user_key,
        {{ clean_text('platform') }} as platform,
        {{ clean_text('platform_user_key') }} as platform_user_key,
        {{ clean_text('match_method') }} as match_method,
        {{ clean_text('confidence') }} as confidence_text,
        {{ clean_text('matched_at') }} as matched_at_text,
        {{ raw_row_json('user_matches', [
            'xhs_user_key', 'platform', 'platform_user_key', 'match_method', 'confidence',
            'matched_at',
        ], hash_columns=['xhs_user_key', 'platform_user_key']) }} as raw_row
    from user_matches

),

-- one row per candidate pair of users on a platform
copies_counted as (

    select
        *,
        count(*) over (partition by platform, xhs_user_key, platform_user_key) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['platform', 'xhs_user_key', 'platform_user_key']) }}

),

parsed as (

    select
        *,
        {{ text_to_double('confidence_text') }} as confidence,
        {{ iso8601_to_utc('matched_at_text') }} as matched_at
    from copies_compared

),

checked as (

    select
        *,
        case
            when xhs_user_key is null then 'xhs_user_key_missing'
            when platform is null then 'platform_missing'
            when platform_user_key is null then 'platform_user_key_missing'
            when match_method is null then 'match_method_missing'
            when confidence_text is null then 'confidence_missing'
            when matched_at_text is null then 'matched_at_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'duplicate_row'
            when not {{ is_lowercase_sha256('xhs_user_key') }}
                then 'xhs_user_key_not_64_lowercase_hex'
            when not {{ is_lowercase_sha256('platform_user_key') }}
                then 'platform_user_key_not_64_lowercase_hex'
            when not {{ in_contract_values('platform', 'match_platforms') }}
                then 'platform_not_in_contract'
            when not {{ in_contract_values('match_method', 'match_methods') }}
                then 'match_method_not_in_contract'
            when confidence is null then 'confidence_not_number'
            when confidence < 0 or confidence > 1 then 'confidence_outside_0_1'
            when matched_at is null then 'matched_at_not_iso8601_with_offset'
            when matched_at > {{ build_started_at() }} then 'matched_at_in_future'
        end as rejection_rule,
        {{ dbt.concat([
            "coalesce(platform, '')", "'|'",
            "coalesce(" ~ redact_invalid_hash('xhs_user_key') ~ ", '')", "'|'",
            "coalesce(" ~ redact_invalid_hash('platform_user_key') ~ ", '')",
        ]) }} as row_key
    from parsed

),

final as (

    select
        row_key as user_match_id,
        case when {{ is_lowercase_sha256('xhs_user_key') }} then xhs_user_key end as xhs_user_key,
        platform,
        case
            when {{ is_lowercase_sha256('platform_user_key') }} then platform_user_key
        end as platform_user_key,
        match_method,
        confidence,
        matched_at,
        {{ utc_to_local_date('matched_at') }} as matched_date,
        rejection_rule,
        row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
