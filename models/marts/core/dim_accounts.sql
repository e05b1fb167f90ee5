with

accounts as (
    select
        account_id,
        account_type,
        nickname,
        industry,
        follower_count,
        is_brand,
        created_date,
        created_at
    from {{ ref('stg_xhs__accounts') }}
),

final as (
    select
        account_id,
        account_type,
        nickname,
        industry,
        cast(follower_count as {{ dbt.type_bigint() }}) as follower_count,
        is_brand,
        created_date,
        created_at
    from accounts
)

select * from final
