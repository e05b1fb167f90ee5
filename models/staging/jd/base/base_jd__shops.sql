{#- jd/shops as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), names in snake_case, nothing parsed yet. -#}
with

shops as (

    select
        cast({{ adapter.quote('venderId') }} as {{ dbt.type_string() }}) as vender_id,
        cast({{ adapter.quote('shopName') }} as {{ dbt.type_string() }}) as shop_name,
        cast({{ adapter.quote('brandName') }} as {{ dbt.type_string() }}) as brand_name,
        cast(industry as {{ dbt.type_string() }}) as industry
    from {{ raw_relation('jd', 'shops') }}

)

select * from shops
