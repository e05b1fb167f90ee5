{#- Accepted rows of tb/visits: parsed, typed and checked in
    base_tb__visits_checked; rejected rows are in the quarantine. -#}
with

checked_visits as (

    select
        visit_id,
        shop_id,
        buyer_key,
        channel,
        ref_note_id,
        visited_at,
        visited_date,
        rejection_rule
    from {{ ref('base_tb__visits_checked') }}

),

accepted_visits as (

    select
        visit_id,
        shop_id,
        buyer_key,
        channel,
        ref_note_id,
        visited_at,
        visited_date
    from checked_visits
    where rejection_rule is null

)

select * from accepted_visits
