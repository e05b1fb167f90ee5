{#- No relation in schema marts has a column holding a user key (xhs user
    key, tb buyer key, jd pin hash or any other hashed user id). Returns the
    offending columns. -#}
with

mart_columns as (
    {{ schema_columns('marts') }}
),

final as (
    select *
    from mart_columns
    where
        column_name like '%user_key%'
        or column_name like '%buyer_key%'
        or column_name like '%pin_hash%'
        or column_name like '%user_id%'
)

select * from final
