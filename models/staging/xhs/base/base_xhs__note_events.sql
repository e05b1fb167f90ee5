{#- xhs/note_events as delivered: the contract's columns, every value as text
    whatever the storage (seed, Parquet or CSV), nothing parsed yet. -#}
with

note_events as (

    select
        cast(event_id as {{ dbt.type_string() }}) as event_id,
        cast(note_id as {{ dbt.type_string() }}) as note_id,
        cast(user_key as {{ dbt.type_string() }}) as user_key,
        cast(event_type as {{ dbt.type_string() }}) as event_type,
        cast(event_ms as {{ dbt.type_string() }}) as event_ms
    from {{ raw_relation('xhs', 'note_events') }}

)

select * from note_events
