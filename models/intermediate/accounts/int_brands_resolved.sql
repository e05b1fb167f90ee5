{#- One row per xhs brand account, named by its latest tri-party account (or
    its nickname when it has none). -#}
with

accounts as (
    select
        account_id,
        nickname,
        industry,
        follower_count,
        created_at,
        created_date
    from {{ ref('stg_xhs__accounts') }}
    where is_brand
),

tri_party_accounts as (
    select
        xhs_brand_account_id,
        brand_name,
        valid_from
    from {{ ref('stg_shared__tri_party_accounts') }}
),

ranked_tri_party_accounts as (
    select
        xhs_brand_account_id,
        brand_name,
        valid_from,
        row_number() over (
            partition by xhs_brand_account_id
            order by valid_from desc, brand_name asc
        ) as recency_rank,
        min(valid_from) over (partition by xhs_brand_account_id) as first_linked_date
    from tri_party_accounts
),

latest_tri_party_accounts as (
    select
        xhs_brand_account_id,
        brand_name,
        first_linked_date
    from ranked_tri_party_accounts
    where recency_rank = 1
),

named_brands as (
    select
        accounts.*,
        latest_tri_party_accounts.first_linked_date,
        coalesce(latest_tri_party_accounts.brand_name, accounts.nickname) as brand_name,
        latest_tri_party_accounts.xhs_brand_account_id is not null as has_tri_party_account
    from accounts
    left join latest_tri_party_accounts
        on accounts.account_id = latest_tri_party_accounts.xhs_brand_account_id
),

final as (
    select
        account_id as brand_account_id,
        brand_name,
        nickname,
        industry,
        follower_count,
        has_tri_party_account,
        first_linked_date,
        created_date,
        created_at
    from named_brands
)

select * from final
