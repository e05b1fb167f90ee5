with

brands as (
    select
        brand_account_id,
        brand_name,
        nickname,
        industry,
        follower_count,
        has_tri_party_account,
        first_linked_date,
        created_date,
        created_at
    from {{ ref('int_brands_resolved') }}
),

shop_links as (
    select
        platform,
        shop_id,
        xhs_brand_account_id,
        valid_from,
        valid_through
    from {{ ref('int_shop_links_resolved') }}
),

last_data_day as (
    select max(date_day) as last_date
    from {{ ref('int_days_spined') }}
),

ranked_shop_links as (
    select
        shop_links.*,
        last_data_day.last_date is null
        or shop_links.valid_through >= last_data_day.last_date as is_current,
        row_number() over (
            partition by shop_links.xhs_brand_account_id, shop_links.platform
            order by shop_links.valid_from desc, shop_links.shop_id asc
        ) as recency_rank
    from shop_links
    cross join last_data_day
),

latest_shop_links as (
    select
        xhs_brand_account_id,
        max(case when platform = 'taobao' then shop_id end) as tb_shop_id,
        max(case when platform = 'jd' then shop_id end) as jd_vender_id,
        max(case when platform = 'taobao' and is_current then 1 else 0 end) as tb_current_flag,
        max(case when platform = 'jd' and is_current then 1 else 0 end) as jd_current_flag
    from ranked_shop_links
    where recency_rank = 1
    group by xhs_brand_account_id
),

final as (
    select
        brands.brand_account_id,
        latest_shop_links.tb_shop_id,
        latest_shop_links.jd_vender_id,
        brands.brand_name,
        brands.nickname,
        brands.industry,
        cast(brands.follower_count as {{ dbt.type_bigint() }}) as follower_count,
        brands.has_tri_party_account,
        coalesce(latest_shop_links.tb_current_flag = 1, false) as is_tb_link_current,
        coalesce(latest_shop_links.jd_current_flag = 1, false) as is_jd_link_current,
        coalesce(
            brands.industry in ({{ sql_values_list(ad_link_pilot_industries()) }}), false
        ) as is_ad_link_pilot_industry,
        brands.first_linked_date,
        brands.created_date,
        brands.created_at
    from brands
    left join latest_shop_links
        on brands.brand_account_id = latest_shop_links.xhs_brand_account_id
)

select * from final
