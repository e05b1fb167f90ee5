{{ config(materialized='table') }}

with

shops as (

    select
        shop_id,
        shop_name,
        brand_name,
        industry,
        is_tmall
    from {{ ref('base_tb__shops') }}

),

delivered as (

    select
        {{ clean_text('shop_id') }} as shop_id,
        {{ clean_text('shop_name') }} as shop_name,
        {{ clean_text('brand_name') }} as brand_name,
        {{ clean_text('industry') }} as industry,
        {{ clean_text('is_tmall') }} as is_tmall_text,
        {{ raw_row_json('shops', [
            'shop_id', 'shop_name', 'brand_name', 'industry', 'is_tmall',
        ]) }} as raw_row
    from shops

),

copies_counted as (

    select
        *,
        count(*) over (partition by shop_id) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['shop_id']) }}

),

parsed as (

    select
        *,
        {{ text_to_boolean('is_tmall_text') }} as is_tmall
    from copies_compared

),

checked as (

    select
        *,
        case
            when shop_id is null then 'shop_id_missing'
            when shop_name is null then 'shop_name_missing'
            when brand_name is null then 'brand_name_missing'
            when industry is null then 'industry_missing'
            when is_tmall_text is null then 'is_tmall_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'duplicate_row'
            when not {{ in_contract_values('industry', 'industries') }}
                then 'industry_not_in_contract'
            when is_tmall is null then 'is_tmall_not_boolean'
        end as rejection_rule
    from parsed

),

final as (

    select
        shop_id,
        shop_name,
        brand_name,
        industry,
        is_tmall,
        rejection_rule,
        shop_id as row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
