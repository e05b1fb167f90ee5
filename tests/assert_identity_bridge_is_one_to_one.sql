{#- The identity bridge holds at most one match per xhs user and platform
    and at most one per platform user, all at or above the confidence floor.
    Returns the offending keys. -#}
with

matches as (
    select
        xhs_user_key,
        platform,
        platform_user_key,
        confidence
    from {{ ref('int_user_matches_resolved') }}
),

per_xhs_user as (
    select
        'xhs_user' as key_kind,
        platform,
        xhs_user_key as user_key,
        count(*) as matches
    from matches
    group by
        platform,
        xhs_user_key
    having count(*) > 1
),

per_platform_user as (
    select
        'platform_user' as key_kind,
        platform,
        platform_user_key as user_key,
        count(*) as matches
    from matches
    group by
        platform,
        platform_user_key
    having count(*) > 1
),

below_floor as (
    select
        'below_floor' as key_kind,
        platform,
        xhs_user_key as user_key,
        1 as matches
    from matches
    where confidence < {{ var('match_min_confidence') }}
),

final as (
    select * from per_xhs_user
    union all
    select * from per_platform_user
    union all
    select * from below_floor
)

select * from final
