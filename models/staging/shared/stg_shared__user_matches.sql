{#- Accepted rows of shared/user_matches: parsed, typed and checked in
    base_shared__user_matches_checked; rejected rows are in the quarantine. -#}
with

checked_user_matches as (

    select
        user_match_id,
        xhs_user_key,
        platform,
        platform_user_key,
        match_method,
        confidence,
        matched_at,
        matched_date,
        rejection_rule
    from {{ ref('base_shared__user_matches_checked') }}

),

accepted_user_matches as (

    select
        user_match_id,
        xhs_user_key,
        platform,
        platform_user_key,
        match_method,
        confidence,
        matched_at,
        matched_date
    from checked_user_matches
    where rejection_rule is null

)

select * from accepted_user_matches
