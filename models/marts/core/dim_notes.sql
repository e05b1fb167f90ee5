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
        is_ad,
        has_shop_link,
        published_date,
        published_at
    from {{ ref('stg_xhs__notes') }}
),

brands as (
    select
        brand_account_id,
        brand_name,
        industry
    from {{ ref('int_brands_resolved') }}
),

described_notes as (
    select
        notes.*,
        brands.brand_name,
        coalesce(notes.industry, brands.industry) as resolved_industry,
        notes.brand_account_id is not null as is_seeding_note
    from notes
    left join brands
        on notes.brand_account_id = brands.brand_account_id
),

final as (
    select
        note_id,
        author_account_id,
        brand_account_id,
        brand_name,
        note_kind,
        resolved_industry as industry,
        spu_id,
        link_platform,
        link_item_id,
        is_ad,
        has_shop_link,
        is_seeding_note,
        published_date,
        published_at
    from described_notes
)

select * from final
