{#- xhs/ad_spend_daily as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), nothing parsed yet. -#}
with

ad_spend_daily as (

    select
        cast(spend_date as {{ dbt.type_string() }}) as spend_date,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(note_id as {{ dbt.type_string() }}) as note_id,
        cast(brand_account_id as {{ dbt.type_string() }}) as brand_account_id,
        cast(boost_type as {{ dbt.type_string() }}) as boost_type,
        cast(is_joint as {{ dbt.type_string() }}) as is_joint,
        cast(spend_cny as {{ dbt.type_string() }}) as spend_cny
    from {{ raw_relation('xhs', 'ad_spend_daily') }}

)

select * from ad_spend_daily
