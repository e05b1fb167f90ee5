{#- tb/visits as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), nothing parsed yet. -#}
with

visits as (

    select
        cast(visit_id as {{ dbt.type_string() }}) as visit_id,
        cast(shop_id as {{ dbt.type_string() }}) as shop_id,
        cast(buyer_key as {{ dbt.type_string() }}) as buyer_key,
        cast(visit_at as {{ dbt.type_string() }}) as visit_at,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(ref_note_id as {{ dbt.type_string() }}) as ref_note_id
    from {{ raw_relation('tb', 'visits') }}

)

select * from visits
