with

days as (
    select date_day
    from {{ ref('int_days_spined') }}
),

brand_spend_days as (
    select
        brand_account_id,
        joint_campaigns,
        joint_spend_cny,
        is_joint_merchant,
        spend_date
    from {{ ref('int_brand_spend_days_aggregated') }}
),

joint_days as (
    select
        spend_date,
        count(distinct case when is_joint_merchant then brand_account_id end) as joint_merchants,
        sum(joint_campaigns) as joint_campaigns,
        sum(joint_spend_cny) as joint_spend_cny
    from brand_spend_days
    group by spend_date
),

final as (
    select
        cast(coalesce(joint_days.joint_merchants, 0) as {{ dbt.type_bigint() }})
            as joint_merchants,
        cast(coalesce(joint_days.joint_campaigns, 0) as {{ dbt.type_bigint() }})
            as joint_campaigns,
        cast(coalesce(joint_days.joint_spend_cny, 0) as {{ type_money() }}) as joint_spend_cny,
        days.date_day as local_date
    from days
    left join joint_days
        on days.date_day = joint_days.spend_date
)

select * from final
