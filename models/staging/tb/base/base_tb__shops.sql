{#- tb/shops as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), nothing parsed yet. -#}
with

shops as (

    select
        cast(shop_id as {{ dbt.type_string() }}) as shop_id,
        cast(shop_name as {{ dbt.type_string() }}) as shop_name,
        cast(brand_name as {{ dbt.type_string() }}) as brand_name,
        cast(industry as {{ dbt.type_string() }}) as industry,
        cast(is_tmall as {{ dbt.type_string() }}) as is_tmall
    from {{ raw_relation('tb', 'shops') }}

)

select * from shops
