{#- Accepted rows of xhs/ad_spend_daily: parsed, typed and checked in
    base_xhs__ad_spend_daily_checked; rejected rows are in the quarantine. -#}
with

checked_ad_spend_days as (

    select
        ad_spend_id,
        campaign_id,
        note_id,
        brand_account_id,
        boost_type,
        spend_cny,
        is_joint,
        spend_date,
        rejection_rule
    from {{ ref('base_xhs__ad_spend_daily_checked') }}

),

accepted_ad_spend_days as (

    select
        ad_spend_id,
        campaign_id,
        note_id,
        brand_account_id,
        boost_type,
        spend_cny,
        is_joint,
        spend_date
    from checked_ad_spend_days
    where rejection_rule is null

)

select * from accepted_ad_spend_days
