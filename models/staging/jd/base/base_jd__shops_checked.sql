{{ config(materialized='table') }}

with

shops as (

    select
        vender_id,
        shop_name,
        brand_name,
        industry
    from {{ ref('base_jd__shops') }}

),

delivered as (

    select
        {{ clean_text('vender_id') }} as vender_id,
        {{ clean_text('shop_name') }} as shop_name,
        {{ clean_text('brand_name') }} as brand_name,
        {{ clean_text('industry') }} as industry,
        {{ raw_row_json('shops', [
            ('venderId', 'vender_id'),
            ('shopName', 'shop_name'),
            ('brandName', 'brand_name'),
            'industry',
        ]) }} as raw_row
    from shops

),

copies_counted as (

    select
        *,
        count(*) over (partition by vender_id) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['vender_id']) }}

),

checked as (

    select
        *,
        case
            when vender_id is null then 'vender_id_missing'
            when shop_name is null then 'shop_name_missing'
            when brand_name is null then 'brand_name_missing'
            when industry is null then 'industry_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'duplicate_row'
            when not {{ in_contract_values('industry', 'industries') }}
                then 'industry_not_in_contract'
        end as rejection_rule
    from copies_compared

),

final as (

    select
        vender_id,
        shop_name,
        brand_name,
        industry,
        rejection_rule,
        vender_id as row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
