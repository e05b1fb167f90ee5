{{ config(materialized='table') }}

with

notes as (

    select
        note_id,
        author_account_id,
        brand_account_id,
        note_kind,
        industry,
        spu_id,
        link_platform,
        link_item_id,
        published_at
    from {{ ref('base_xhs__notes') }}

),

delivered as (

    select
        {{ clean_text('note_id') }} as note_id,
        {{ clean_text('author_account_id') }} as author_account_id,
        {{ clean_text('brand_account_id') }} as brand_account_id,
        {{ clean_text('note_kind') }} as note_kind,
        {{ clean_text('industry') }} as industry,
        {{ clean_text('spu_id') }} as spu_id,
        {{ clean_text('link_platform') }} as link_platform,
        {{ clean_text('link_item_id') }} as link_item_id,
        {{ clean_text('published_at') }} as published_at_text,
        {{ raw_row_json('notes', [
            'note_id', 'author_account_id', 'brand_account_id', 'note_kind', 'industry',
            'spu_id', 'link_platform', 'link_item_id', 'published_at',
        ]) }} as raw_row
    from notes

),

copies_counted as (

    select
        *,
        count(*) over (partition by note_id) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['note_id']) }}

),

parsed as (

    select
        *,
        {{ wall_clock_to_utc('published_at_text', 'Asia/Shanghai') }} as published_at
    from copies_compared

),

checked as (

    select
        *,
        case
            when note_id is null then 'note_id_missing'
            when author_account_id is null then 'author_account_id_missing'
            when note_kind is null then 'note_kind_missing'
            when published_at_text is null then 'published_at_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'duplicate_row'
            when not {{ in_contract_values('note_kind', 'note_kinds') }}
                then 'note_kind_not_in_contract'
            when industry is not null and not {{ in_contract_values('industry', 'industries') }}
                then 'industry_not_in_contract'
            when link_platform is not null
                and not {{ in_contract_values('link_platform', 'link_platforms') }}
                then 'link_platform_not_in_contract'
            when note_kind = 'organic' and link_platform in ('taobao', 'jd')
                then 'shop_link_on_organic_note'
            when published_at is null then 'published_at_not_shanghai_wall_clock'
            when published_at > {{ build_started_at() }} then 'published_at_in_future'
        end as rejection_rule
    from parsed

),

final as (

    select
        note_id,
        author_account_id,
        brand_account_id,
        note_kind,
        industry,
        spu_id,
        link_platform,
        link_item_id,
        note_kind = 'ad' as is_ad,
        coalesce(link_platform in ('taobao', 'jd'), false) as has_shop_link,
        published_at,
        {{ utc_to_local_date('published_at') }} as published_date,
        rejection_rule,
        note_id as row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
