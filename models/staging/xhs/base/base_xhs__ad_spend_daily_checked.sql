{{ config(materialized='table') }}

with

ad_spend_daily as (

    select
        spend_date,
        campaign_id,
        note_id,
        brand_account_id,
        boost_type,
        is_joint,
        spend_cny
    from {{ ref('base_xhs__ad_spend_daily') }}

),

delivered as (

    select
        {{ clean_text('spend_date') }} as spend_date_text,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('note_id') }} as note_id,
        {{ clean_text('brand_account_id') }} as brand_account_id,
        {{ clean_text('boost_type') }} as boost_type,
        {{ clean_text('is_joint') }} as is_joint_text,
        {{ clean_text('spend_cny') }} as spend_cny_text,
        {{ raw_row_json('ad_spend_daily', [
            'spend_date', 'campaign_id', 'note_id', 'brand_account_id', 'boost_type',
            'is_joint', 'spend_cny',
        ]) }} as raw_row
    from ad_spend_daily

),

copies_counted as (

    select
        *,
        count(*) over (partition by spend_date_text, campaign_id, note_id) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['spend_date_text', 'campaign_id', 'note_id']) }}

),

parsed as (

    select
        *,
        {{ text_to_date('spend_date_text') }} as spend_date,
        {{ text_to_boolean('is_joint_text') }} as is_joint,
        {{ yuan_to_decimal('spend_cny_text') }} as spend_cny
    from copies_compared

),

checked as (

    select
        *,
        case
            when spend_date_text is null then 'spend_date_missing'
            when campaign_id is null then 'campaign_id_missing'
            when note_id is null then 'note_id_missing'
            when brand_account_id is null then 'brand_account_id_missing'
            when boost_type is null then 'boost_type_missing'
            when is_joint_text is null then 'is_joint_missing'
            when spend_cny_text is null then 'spend_cny_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'duplicate_row'
            when not {{ in_contract_values('boost_type', 'boost_types') }}
                then 'boost_type_not_in_contract'
            when is_joint is null then 'is_joint_not_boolean'
            when spend_cny is null then 'spend_cny_not_decimal_yuan'
            when spend_cny < 0 then 'spend_cny_negative'
            when spend_date is null then 'spend_date_not_iso_date'
            when spend_date > {{ utc_to_local_date(build_started_at()) }}
                then 'spend_date_in_future'
        end as rejection_rule,
        {{ dbt.concat([
            "coalesce(spend_date_text, '')", "'|'",
            "coalesce(campaign_id, '')", "'|'",
            "coalesce(note_id, '')",
        ]) }} as row_key
    from parsed

),

final as (

    select
        row_key as ad_spend_id,
        campaign_id,
        note_id,
        brand_account_id,
        boost_type,
        spend_cny,
        is_joint,
        spend_date,
        rejection_rule,
        row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
