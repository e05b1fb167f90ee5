{#- Every local day from the first to the last day the data covers (note
    events, tb and jd orders, xhs shop orders, ad spend): dbt's date_spine
    over the plausible days, from var plausible_first_day to tomorrow plus
    var plausible_clock_skew_minutes rounded up to whole days (staging rejects
    later times; a local day is at most one ahead of UTC's), cut to the
    data's first and last day. -#}
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

plausible_days as (
    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('plausible_first_day') ~ "' as date)",
        dbt.dateadd('day', 2 + ((var('plausible_clock_skew_minutes') | int) + 1439) // 1440, 'current_date'),
    ) }}
),

final as (
    select cast(plausible_days.date_day as date) as date_day
    from plausible_days
    inner join bounds
        on
            cast(plausible_days.date_day as date) >= bounds.first_date
            and cast(plausible_days.date_day as date) <= bounds.last_date
)

select * from final
