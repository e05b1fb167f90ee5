{{ config(materialized='table') }}

with

accounts as (

    select
        account_id,
        account_type,
        nickname,
        industry,
        follower_count,
        created_at
    from {{ ref('base_xhs__accounts') }}

),

delivered as (

    select
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('account_type') }} as account_type,
        {{ clean_text('nickname') }} as nickname,
        {{ clean_text('industry') }} as industry,
        {{ clean_text('follower_count') }} as follower_count_text,
        {{ clean_text('created_at') }} as created_at_text,
        {{ raw_row_json('accounts', [
            'account_id', 'account_type', 'nickname', 'industry', 'follower_count', 'created_at',
        ]) }} as raw_row
    from accounts

),

copies_counted as (

    select
        *,
        count(*) over (partition by account_id) as key_copies
    from delivered

),

copies_compared as (

    {{ compare_key_copies('copies_counted', ['account_id']) }}

),

parsed as (

    select
        *,
        {{ text_to_integer('follower_count_text') }} as follower_count,
        {{ wall_clock_to_utc('created_at_text', 'Asia/Shanghai') }} as created_at
    from copies_compared

),

checked as (

    select
        *,
        case
            when account_id is null then 'account_id_missing'
            when account_type is null then 'account_type_missing'
            when nickname is null then 'nickname_missing'
            when follower_count_text is null then 'follower_count_missing'
            when created_at_text is null then 'created_at_missing'
            when has_conflicting_copies then 'conflicting_duplicate_key'
            when copy_number > 1 then 'duplicate_row'
            when not {{ in_contract_values('account_type', 'account_types') }}
                then 'account_type_not_in_contract'
            when industry is not null and not {{ in_contract_values('industry', 'industries') }}
                then 'industry_not_in_contract'
            when follower_count is null then 'follower_count_not_integer'
            when follower_count < 0 then 'follower_count_negative'
            when created_at is null then 'created_at_not_shanghai_wall_clock'
            when created_at > {{ build_started_at() }} then 'created_at_in_future'
        end as rejection_rule
    from parsed

),

final as (

    select
        account_id,
        account_type,
        nickname,
        industry,
        follower_count,
        account_type = 'brand' as is_brand,
        created_at,
        {{ utc_to_local_date('created_at') }} as created_date,
        rejection_rule,
        account_id as row_key,
        case when rejection_rule is not null then raw_row end as raw_row
    from checked

)

select * from final
