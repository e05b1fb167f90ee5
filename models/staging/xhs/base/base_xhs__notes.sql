{#- xhs/notes as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), nothing parsed yet. -#}
with

notes as (

    select
        cast(note_id as {{ dbt.type_string() }}) as note_id,
        cast(author_account_id as {{ dbt.type_string() }}) as author_account_id,
        cast(brand_account_id as {{ dbt.type_string() }}) as brand_account_id,
        cast(note_kind as {{ dbt.type_string() }}) as note_kind,
        cast(industry as {{ dbt.type_string() }}) as industry,
        cast(spu_id as {{ dbt.type_string() }}) as spu_id,
        cast(link_platform as {{ dbt.type_string() }}) as link_platform,
        cast(link_item_id as {{ dbt.type_string() }}) as link_item_id,
        cast(published_at as {{ dbt.type_string() }}) as published_at
    from {{ raw_relation('xhs', 'notes') }}

)

select * from notes
