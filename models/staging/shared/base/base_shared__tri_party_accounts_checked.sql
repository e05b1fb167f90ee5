{{ config(materialized='table') }}

with

tri_party_accounts as (

    select
        tri_account_id,
        brand_name,
        xhs_brand_account_id,
        tb_shop_id,
        jd_vender_id,
        valid_from,
        valid_to
    from {{ ref('base_shared__tri_party_accounts') }}

),

delivered as (

    select
        {{ clean_text('tri_account_id') }} as tri_account_id,
        {{ clean_text('brand_name') }} as brand_name,
        {{ clean_text('xhs_brand_account_id') }} as xhs_brand_account_id,
        {{ clean_text('tb_shop_id') }} as tb_shop_id,
        {{ clean_text('jd_vender_id') }} as jd_vender_id,
        {{ clean_text('valid_from') }} as valid_from_text,
        {{ clean_text('valid_to') }} as valid_to_text,
        {{ raw_row_json('tri_party_accounts', [
            'tri_account_id', 'brand_name', 'xhs_brand_account_id', 'tb_shop_id',
            'jd_vender_id', 'valid_from', 'valid_to',
        ]) }} as raw_row
    from tri_party_accounts

),

-- a tri-party account has one row per validity period: the key is the
-- account and the first day of the period
copies_counted as (

    select
        *,
        count(*) over (partition by tri_account_id, valid_from_text) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['tri_account_id', 'valid_from_text']) }}

),

parsed as (

    select
        *,
        {{ text_to_date('valid_from_text') }} as valid_from,
        {{ text_to_date('valid_to_text') }} as valid_to
    from copies_compared

),

checked as (

    select
        *,
        case
            when tri_account_id is null then 'tri_account_id_missing'
            when brand_name is null then 'brand_name_missing'
            when xhs_brand_account_id is null then 'xhs_brand_account_id_missing'
            when valid_from_text is null then 'valid_from_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'duplicate_row'
            when valid_from is null then 'valid_from_not_iso_date'
            when valid_to_text is not null and valid_to is null then 'valid_to_not_iso_date'
            when valid_to < valid_from then 'valid_to_before_valid_from'
        end as rejection_rule,
        {{ dbt.concat([
            "coalesce(tri_account_id, '')", "'|'", "coalesce(valid_from_text, '')",
        ]) }} as row_key
    from parsed

),

final as (

    select
        row_key as tri_account_period_id,
        tri_account_id,
        brand_name,
        xhs_brand_account_id,
        tb_shop_id,
        jd_vender_id,
        valid_from,
        valid_to,
        rejection_rule,
        row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
