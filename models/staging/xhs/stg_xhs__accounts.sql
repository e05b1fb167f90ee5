{#- Accepted rows of xhs/accounts: parsed, typed and checked in
    base_xhs__accounts_checked; rejected rows are in the quarantine. -#}
with

checked_accounts as (

    select
        account_id,
        account_type,
        nickname,
        industry,
        follower_count,
        is_brand,
        created_at,
        created_date,
        rejection_rule
    from {{ ref('base_xhs__accounts_checked') }}

),

accepted_accounts as (

    select
        account_id,
        account_type,
        nickname,
        industry,
        follower_count,
        is_brand,
        created_at,
        created_date
    from checked_accounts
    where rejection_rule is null

)

select * from accepted_accounts
