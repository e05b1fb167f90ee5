{#- Accepted rows of shared/tri_party_accounts: parsed, typed and checked in
    base_shared__tri_party_accounts_checked; rejected rows are in the quarantine. -#}
with

checked_tri_party_accounts as (

    select
        tri_account_period_id,
        tri_account_id,
        brand_name,
        xhs_brand_account_id,
        tb_shop_id,
        jd_vender_id,
        valid_from,
        valid_to,
        rejection_rule
    from {{ ref('base_shared__tri_party_accounts_checked') }}

),

accepted_tri_party_accounts as (

    select
        tri_account_period_id,
        tri_account_id,
        brand_name,
        xhs_brand_account_id,
        tb_shop_id,
        jd_vender_id,
        valid_from,
        valid_to
    from checked_tri_party_accounts
    where rejection_rule is null

)

select * from accepted_tri_party_accounts
