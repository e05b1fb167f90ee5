{#- The identity bridge: at most one xhs user per platform buyer and one
    platform buyer per xhs user and platform. -#}
with

user_matches as (
    select
        user_match_id,
        xhs_user_key,
        platform,
        platform_user_key,
        match_method,
        confidence,
        matched_at
    from {{ ref('stg_shared__user_matches') }}
),

confident_matches as (
    select *
    from user_matches
    where confidence >= {{ var('match_min_confidence') }}
),

ranked_per_xhs_user as (
    select
        *,
        row_number() over (
            partition by xhs_user_key, platform
            order by confidence desc, matched_at desc, platform_user_key asc
        ) as xhs_user_rank
    from confident_matches
),

best_per_xhs_user as (
    select *
    from ranked_per_xhs_user
    where xhs_user_rank = 1
),

ranked_per_platform_user as (
    select
        *,
        row_number() over (
            partition by platform, platform_user_key
            order by confidence desc, matched_at desc, xhs_user_key asc
        ) as platform_user_rank
    from best_per_xhs_user
),

final as (
    select
        user_match_id,
        xhs_user_key,
        platform,
        platform_user_key,
        match_method,
        confidence,
        matched_at
    from ranked_per_platform_user
    where platform_user_rank = 1
)

select * from final
