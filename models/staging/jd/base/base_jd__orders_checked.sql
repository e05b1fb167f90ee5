{{ config(materialized='table') }}

with

orders as (

    select
        order_id,
        pin_hash,
        vender_id,
        sku_id,
        spu_id,
        amount,
        order_time,
        order_state,
        source_note_id
    from {{ ref('base_jd__orders') }}

),

delivered as (

    select
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('pin_hash') }} as pin_hash,
        {{ clean_text('vender_id') }} as vender_id,
        {{ clean_text('sku_id') }} as sku_id,
        {{ clean_text('spu_id') }} as spu_id,
        {{ clean_text('amount') }} as amount,
        {{ clean_text('order_time') }} as order_time,
        {{ clean_text('order_state') }} as order_state_text,
        {{ clean_text('source_note_id') }} as source_note_id,
        {{ raw_row_json('orders', [
            ('orderId', 'order_id'),
            ('pinHash', 'pin_hash'),
            ('venderId', 'vender_id'),
            ('skuId', 'sku_id'),
            ('spuId', 'spu_id'),
            'amount',
            ('orderTime', 'order_time'),
            ('orderState', 'order_state'),
            ('sourceNoteId', 'source_note_id'),
        ], hash_columns=['pinHash']) }} as raw_row
    from orders

),

copies_counted as (

    select
        *,
        count(*) over (partition by order_id) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['order_id'], also_compare=['pin_hash']) }}

),

parsed as (

    select
        *,
        {{ text_to_integer('order_state_text', dbt.type_int()) }} as order_state,
        {{ yuan_to_decimal('amount') }} as paid_cny,
        {{ epoch_to_utc('order_time', 's') }} as ordered_at
    from copies_compared

),

checked as (

    select
        *,
        case
            when order_id is null then 'order_id_missing'
            when pin_hash is null then 'pin_hash_missing'
            when vender_id is null then 'vender_id_missing'
            when sku_id is null then 'sku_id_missing'
            when spu_id is null then 'spu_id_missing'
            when amount is null then 'amount_missing'
            when order_time is null then 'order_time_missing'
            when order_state_text is null then 'order_state_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'duplicate_row'
            when not {{ is_lowercase_sha256('pin_hash') }} then 'pin_hash_not_64_lowercase_hex'
            when order_state is null or order_state not between 1 and 5
                then 'order_state_not_in_1_to_5'
            when paid_cny is null then 'amount_not_decimal_yuan'
            when paid_cny < 0 then 'amount_negative'
            when ordered_at is null then 'order_time_not_epoch_seconds'
            when ordered_at > {{ build_started_at() }} then 'order_time_in_future'
        end as rejection_rule
    from parsed

),

final as (

    select
        order_id,
        case when {{ is_lowercase_sha256('pin_hash') }} then pin_hash end as pin_hash,
        vender_id,
        sku_id,
        spu_id,
        source_note_id,
        order_state,
        {{ jd_order_status('order_state') }} as order_status,
        paid_cny,
        order_state = 5 as is_cancelled,
        order_state = 4 as is_refunded,
        ordered_at,
        {{ utc_to_local_date('ordered_at') }} as ordered_date,
        rejection_rule,
        order_id as row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
