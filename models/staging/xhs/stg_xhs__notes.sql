{#- Accepted rows of xhs/notes: parsed, typed and checked in
    base_xhs__notes_checked; rejected rows are in the quarantine. -#}
with

checked_notes as (

    select
        note_id,
        author_account_id,
        brand_account_id,
        note_kind,
        industry,
        spu_id,
        link_platform,
        link_item_id,
        is_ad,
        has_shop_link,
        published_at,
        published_date,
        rejection_rule
    from {{ ref('base_xhs__notes_checked') }}

),

accepted_notes as (

    select
        note_id,
        author_account_id,
        brand_account_id,
        note_kind,
        industry,
        spu_id,
        link_platform,
        link_item_id,
        is_ad,
        has_shop_link,
        published_at,
        published_date
    from checked_notes
    where rejection_rule is null

)

select * from accepted_notes
