with

tri_party_accounts as (
    select
        tri_account_period_id,
        tri_account_id,
        brand_name,
        xhs_brand_account_id,
        tb_shop_id,
        jd_vender_id,
        valid_from,
        valid_to
    from {{ ref('stg_shared__tri_party_accounts') }}
),

brand_accounts as (
    select
        account_id,
        industry
    from {{ ref('stg_xhs__accounts') }}
),

taobao_links as (
    select
        tri_account_period_id,
        tri_account_id,
        'taobao' as platform,
        tb_shop_id as shop_id,
        brand_name,
        xhs_brand_account_id,
        valid_from,
        valid_to
    from tri_party_accounts
    where tb_shop_id is not null
),

jd_links as (
    select
        tri_account_period_id,
        tri_account_id,
        'jd' as platform,
        jd_vender_id as shop_id,
        brand_name,
        xhs_brand_account_id,
        valid_from,
        valid_to
    from tri_party_accounts
    where jd_vender_id is not null
),

shop_links as (
    select * from taobao_links
    union all
    select * from jd_links
),

final as (
    select
        {{ dbt.concat(["shop_links.platform", "'|'", "shop_links.tri_account_period_id"]) }}
            as shop_link_id,
        shop_links.tri_account_id,
        shop_links.platform,
        shop_links.shop_id,
        shop_links.xhs_brand_account_id,
        shop_links.brand_name,
        brand_accounts.industry as brand_industry,
        shop_links.valid_from,
        shop_links.valid_to,
        coalesce(shop_links.valid_to, {{ far_future_date() }}) as valid_through
    from shop_links
    left join brand_accounts
        on shop_links.xhs_brand_account_id = brand_accounts.account_id
)

select * from final
