{#- Ad spend per brand and local day, with the joint-campaign part. -#}
with

ad_spend_days as (
    select
        campaign_id,
        brand_account_id,
        spend_cny,
        is_joint,
        spend_date
    from {{ ref('stg_xhs__ad_spend_days') }}
),

brands as (
    select
        brand_account_id,
        industry
    from {{ ref('int_brands_resolved') }}
),

brand_days as (
    select
        brand_account_id,
        spend_date,
        sum(spend_cny) as spend_cny,
        sum(case when is_joint then spend_cny else 0 end) as joint_spend_cny,
        count(distinct campaign_id) as campaigns,
        count(distinct case when is_joint and spend_cny > 0 then campaign_id end) as joint_campaigns
    from ad_spend_days
    group by
        brand_account_id,
        spend_date
),

final as (
    select
        {{ dbt.concat([
            "brand_days.brand_account_id", "'|'",
            "cast(brand_days.spend_date as " ~ dbt.type_string() ~ ")",
        ]) }} as brand_spend_day_id,
        brand_days.brand_account_id,
        coalesce(brands.industry, 'unknown') as industry,
        cast(brand_days.campaigns as {{ dbt.type_bigint() }}) as campaigns,
        cast(brand_days.joint_campaigns as {{ dbt.type_bigint() }}) as joint_campaigns,
        cast(brand_days.spend_cny as {{ type_money() }}) as spend_cny,
        cast(brand_days.joint_spend_cny as {{ type_money() }}) as joint_spend_cny,
        brand_days.joint_spend_cny > 0 as is_joint_merchant,
        brand_days.spend_date
    from brand_days
    left join brands
        on brand_days.brand_account_id = brands.brand_account_id
)

select * from final
