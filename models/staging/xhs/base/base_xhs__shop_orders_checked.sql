{{ config(materialized='table') }}

with

shop_orders as (

    select
        order_id,
        user_key,
        seller_account_id,
        note_id,
        gmv_cny,
        ordered_at
    from {{ ref('base_xhs__shop_orders') }}

),

delivered as (

    select
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('user_key') }} as user_key,
        {{ clean_text('seller_account_id') }} as seller_account_id,
        {{ clean_text('note_id') }} as note_id,
        {{ clean_text('gmv_cny') }} as gmv_cny_text,
        {{ clean_text('ordered_at') }} as ordered_at_text,
        {{ raw_row_json('shop_orders', [
            'order_id', 'user_key', 'seller_account_id', 'note_id', 'gmv_cny', 'ordered_at',
        ], hash_columns=['user_key']) }} as raw_row
    from shop_orders

),

copies_counted as (

    select
        *,
        count(*) over (partition by order_id) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['order_id'], also_compare=['user_key']) }}

),

parsed as (

    select
        *,
        {{ yuan_to_decimal('gmv_cny_text') }} as gmv_cny,
        {{ wall_clock_to_utc('ordered_at_text', 'Asia/Shanghai') }} as ordered_at
    from copies_compared

),

checked as (

    select
        *,
        case
            when order_id is null then 'order_id_missing'
            when user_key is null then 'user_key_missing'
            when seller_account_id is null then 'seller_account_id_missing'
            when gmv_cny_text is null then 'gmv_cny_missing'
            when ordered_at_text is null then 'ordered_at_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'duplicate_row'
            when not {{ is_lowercase_sha256('user_key') }} then 'user_key_not_64_lowercase_hex'
            when gmv_cny is null then 'gmv_cny_not_decimal_yuan'
            when gmv_cny < 0 then 'gmv_cny_negative'
            when ordered_at is null then 'ordered_at_not_shanghai_wall_clock'
            when ordered_at > {{ build_started_at() }} then 'ordered_at_in_future'
        end as rejection_rule
    from parsed

),

final as (

    select
        order_id,
        case when {{ is_lowercase_sha256('user_key') }} then user_key end as user_key,
        seller_account_id,
        note_id,
        gmv_cny,
        ordered_at,
        {{ utc_to_local_date('ordered_at') }} as ordered_date,
        rejection_rule,
        order_id as row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
