{#- Accepted rows of tb/searches: parsed, typed and checked in
    base_tb__searches_checked; rejected rows are in the quarantine. -#}
with

checked_searches as (

    select
        search_id,
        buyer_key,
        query_text,
        searched_at,
        searched_date,
        rejection_rule
    from {{ ref('base_tb__searches_checked') }}

),

accepted_searches as (

    select
        search_id,
        buyer_key,
        query_text,
        searched_at,
        searched_date
    from checked_searches
    where rejection_rule is null

)

select * from accepted_searches
