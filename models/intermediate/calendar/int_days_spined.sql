{#- Every local day from the first to the last day the data covers (note
    events, tb and jd orders, xhs shop orders, ad spend). -#}
with

note_event_days as (
    select
        min(event_date) as first_date,
        max(event_date) as last_date
    from {{ ref('stg_xhs__note_events') }}
),

tb_order_days as (
    select
        min(paid_date) as first_date,
        max(paid_date) as last_date
    from {{ ref('stg_tb__orders') }}
),

jd_order_days as (
    select
        min(ordered_date) as first_date,
        max(ordered_date) as last_date
    from {{ ref('stg_jd__orders') }}
),

shop_order_days as (
    select
        min(ordered_date) as first_date,
        max(ordered_date) as last_date
    from {{ ref('stg_xhs__shop_orders') }}
),

ad_spend_days as (
    select
        min(spend_date) as first_date,
        max(spend_date) as last_date
    from {{ ref('stg_xhs__ad_spend_days') }}
),

data_days as (
    select * from note_event_days
    union all
    select * from tb_order_days
    union all
    select * from jd_order_days
    union all
    select * from shop_order_days
    union all
    select * from ad_spend_days
),

bounds as (
    select
        min(first_date) as first_date,
        max(last_date) as last_date
    from data_days
),

digits as (
    {{ values_relation(range(10), 'digit') }}
),

day_numbers as (
    select
        ones.digit
        + tens.digit * 10
        + hundreds.digit * 100
        + thousands.digit * 1000
        + ten_thousands.digit * 10000 as day_number
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
    cross join digits as ten_thousands
),

final as (
    select
        cast({{ dbt.dateadd('day', 'day_numbers.day_number', 'bounds.first_date') }} as date)
            as date_day
    from bounds
    cross join day_numbers
    where day_numbers.day_number <= {{ dbt.datediff('bounds.first_date', 'bounds.last_date', 'day') }}
)

select * from final
