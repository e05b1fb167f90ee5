{{ config(materialized='table') }}

with

items as (

    select
        item_id,
        shop_id,
        spu_id,
        title,
        price_fen
    from {{ ref('base_tb__items') }}

),

delivered as (

    select
        {{ clean_text('item_id') }} as item_id,
        {{ clean_text('shop_id') }} as shop_id,
        {{ clean_text('spu_id') }} as spu_id,
        {{ clean_text('title') }} as title,
        {{ clean_text('price_fen') }} as price_fen,
        {{ raw_row_json('items', [
            'item_id', 'shop_id', 'spu_id', 'title', 'price_fen',
        ]) }} as raw_row
    from items

),

copies_counted as (

    select
        *,
        count(*) over (partition by item_id) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['item_id']) }}

),

parsed as (

    select
        *,
        {{ fen_to_yuan('price_fen') }} as price_cny
    from copies_compared

),

checked as (

    select
        *,
        case
            when item_id is null then 'item_id_missing'
            when shop_id is null then 'shop_id_missing'
            when spu_id is null then 'spu_id_missing'
            when title is null then 'title_missing'
            when price_fen is null then 'price_fen_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'duplicate_row'
            when price_cny is null then 'price_fen_not_integer_fen'
            when price_cny <= 0 then 'price_fen_not_positive'
        end as rejection_rule
    from parsed

),

final as (

    select
        item_id,
        shop_id,
        spu_id,
        title,
        price_cny,
        rejection_rule,
        item_id as row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
