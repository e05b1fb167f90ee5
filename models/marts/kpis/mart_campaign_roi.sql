with

ad_spend_days as (
    select
        campaign_id,
        note_id,
        brand_account_id,
        spend_cny,
        is_joint,
        spend_date
    from {{ ref('stg_xhs__ad_spend_days') }}
),

campaign_credits as (
    select
        campaign_id,
        conversion_id,
        attribution_model,
        attributed_gmv_cny,
        attributed_net_gmv_cny
    from {{ ref('int_campaign_credits_allocated') }}
),

brands as (
    select
        brand_account_id,
        brand_name,
        industry
    from {{ ref('int_brands_resolved') }}
),

attribution_models as (
    {{ attribution_models_relation() }}
),

campaigns as (
    select
        campaign_id,
        min(brand_account_id) as brand_account_id,
        count(distinct note_id) as notes,
        sum(spend_cny) as spend_cny,
        sum(case when is_joint then spend_cny else 0 end) as joint_spend_cny,
        min(spend_date) as first_spend_date,
        max(spend_date) as last_spend_date
    from ad_spend_days
    group by campaign_id
),

campaign_model_gmv as (
    select
        campaign_id,
        attribution_model,
        count(distinct conversion_id) as attributed_orders,
        sum(attributed_gmv_cny) as attributed_gmv_cny,
        sum(attributed_net_gmv_cny) as attributed_net_gmv_cny
    from campaign_credits
    group by
        campaign_id,
        attribution_model
),

final as (
    select
        {{ dbt.concat(["campaigns.campaign_id", "'|'", "attribution_models.attribution_model"]) }}
            as campaign_roi_id,
        campaigns.campaign_id,
        attribution_models.attribution_model,
        campaigns.brand_account_id,
        brands.brand_name,
        brands.industry,
        cast(campaigns.notes as {{ dbt.type_bigint() }}) as notes,
        cast(coalesce(campaign_model_gmv.attributed_orders, 0) as {{ dbt.type_bigint() }})
            as attributed_orders,
        cast(campaigns.spend_cny as {{ type_money() }}) as spend_cny,
        cast(campaigns.joint_spend_cny as {{ type_money() }}) as joint_spend_cny,
        cast(coalesce(campaign_model_gmv.attributed_gmv_cny, 0) as {{ type_money() }})
            as attributed_gmv_cny,
        cast(coalesce(campaign_model_gmv.attributed_net_gmv_cny, 0) as {{ type_money() }})
            as attributed_net_gmv_cny,
        {{ safe_divide('coalesce(campaign_model_gmv.attributed_gmv_cny, 0)', 'campaigns.spend_cny') }}
            as roas,
        campaigns.joint_spend_cny > 0 as is_joint,
        campaigns.first_spend_date,
        campaigns.last_spend_date
    from campaigns
    cross join attribution_models
    left join campaign_model_gmv
        on
            campaigns.campaign_id = campaign_model_gmv.campaign_id
            and attribution_models.attribution_model = campaign_model_gmv.attribution_model
    left join brands
        on campaigns.brand_account_id = brands.brand_account_id
)

select * from final
