{{ config(materialized='table') }}

with

orders as (

    select
        order_id,
        buyer_key,
        shop_id,
        item_id,
        quantity,
        pay_fen,
        discount_fen,
        is_presale,
        status,
        paid_at
    from {{ ref('base_tb__orders') }}

),

delivered as (

    select
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('buyer_key') }} as buyer_key,
        {{ clean_text('shop_id') }} as shop_id,
        {{ clean_text('item_id') }} as item_id,
        {{ clean_text('quantity') }} as quantity_text,
        {{ clean_text('pay_fen') }} as pay_fen,
        {{ clean_text('discount_fen') }} as discount_fen,
        {{ clean_text('is_presale') }} as is_presale_text,
        {{ clean_text('status') }} as order_status,
        {{ clean_text('paid_at') }} as paid_at_text,
        {{ raw_row_json('orders', [
            'order_id', 'buyer_key', 'shop_id', 'item_id', 'quantity', 'pay_fen',
            'discount_fen', 'is_presale', 'status', 'paid_at',
        ], hash_columns=['buyer_key']) }} as raw_row
    from orders

),

copies_counted as (

    select
        *,
        count(*) over (partition by order_id) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['order_id'], also_compare=['buyer_key']) }}

),

parsed as (

    select
        *,
        {{ text_to_integer('quantity_text', dbt.type_int()) }} as quantity,
        {{ fen_to_yuan('pay_fen') }} as paid_cny,
        {{ fen_to_yuan('discount_fen') }} as discount_cny,
        {{ text_to_boolean('is_presale_text') }} as is_presale,
        {{ iso8601_to_utc('paid_at_text') }} as paid_at
    from copies_compared

),

checked as (

    select
        *,
        case
            when order_id is null then 'order_id_missing'
            when buyer_key is null then 'buyer_key_missing'
            when shop_id is null then 'shop_id_missing'
            when item_id is null then 'item_id_missing'
            when quantity_text is null then 'quantity_missing'
            when pay_fen is null then 'pay_fen_missing'
            when discount_fen is null then 'discount_fen_missing'
            when is_presale_text is null then 'is_presale_missing'
            when order_status is null then 'status_missing'
            when paid_at_text is null then 'paid_at_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'duplicate_row'
            when not {{ is_lowercase_sha256('buyer_key') }} then 'buyer_key_not_64_lowercase_hex'
            when not {{ in_contract_values('order_status', 'tb_order_statuses') }}
                then 'status_not_in_contract'
            when quantity is null then 'quantity_not_integer'
            when quantity < 1 then 'quantity_below_1'
            when paid_cny is null then 'pay_fen_not_integer_fen'
            when paid_cny < 0 then 'pay_fen_negative'
            when discount_cny is null then 'discount_fen_not_integer_fen'
            when discount_cny < 0 then 'discount_fen_negative'
            when is_presale is null then 'is_presale_not_boolean'
            when paid_at is null then 'paid_at_not_iso8601_with_offset'
            when paid_at > {{ build_started_at() }} then 'paid_at_in_future'
        end as rejection_rule
    from parsed

),

final as (

    select
        order_id,
        case when {{ is_lowercase_sha256('buyer_key') }} then buyer_key end as buyer_key,
        shop_id,
        item_id,
        order_status,
        quantity,
        paid_cny,
        discount_cny,
        is_presale,
        order_status = 'cancelled' as is_cancelled,
        order_status = 'refunded' as is_refunded,
        paid_at,
        {{ utc_to_local_date('paid_at') }} as paid_date,
        rejection_rule,
        order_id as row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
