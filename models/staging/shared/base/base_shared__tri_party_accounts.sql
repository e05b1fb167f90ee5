{#- shared/tri_party_accounts as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), nothing parsed yet. -#}
with

tri_party_accounts as (

    select
        cast(tri_account_id as {{ dbt.type_string() }}) as tri_account_id,
        cast(brand_name as {{ dbt.type_string() }}) as brand_name,
        cast(xhs_brand_account_id as {{ dbt.type_string() }}) as xhs_brand_account_id,
        cast(tb_shop_id as {{ dbt.type_string() }}) as tb_shop_id,
        cast(jd_vender_id as {{ dbt.type_string() }}) as jd_vender_id,
        cast(valid_from as {{ dbt.type_string() }}) as valid_from,
        cast(valid_to as {{ dbt.type_string() }}) as valid_to
    from {{ raw_relation('shared', 'tri_party_accounts') }}

)

select * from tri_party_accounts
