{#- Each funnel stage is a subset of the one before, so no stage is larger:
    reach ≥ engaged ≥ link-click users ≥ store-entry users (tb) ≥ buyers,
    and buyers place at least one order each. Checked before suppression
    (every row) and in the published mart (unsuppressed rows). Store entries
    exist on tb only. Returns the offending rows. -#}
with

unsuppressed as (
    select
        funnel_day_id,
        platform,
        reach_users,
        engaged_users,
        link_click_users,
        store_entry_users,
        buyers,
        orders
    from {{ ref('int_funnel_days_aggregated') }}
),

published as (
    select
        funnel_day_id,
        platform,
        reach_users,
        engaged_users,
        link_clicks as link_click_users,
        store_entry_users,
        buyers,
        orders
    from {{ ref('fct_seeding_funnel_daily') }}
    where not is_suppressed
),

funnel_rows as (
    select
        'int_funnel_days_aggregated' as relation_name,
        unsuppressed.*
    from unsuppressed
    union all
    select
        'fct_seeding_funnel_daily' as relation_name,
        published.*
    from published
),

final as (
    select *
    from funnel_rows
    where
        engaged_users > reach_users
        or link_click_users > engaged_users
        or (platform = 'taobao' and (store_entry_users is null or store_entry_users > link_click_users))
        or (platform = 'taobao' and buyers > store_entry_users)
        or (platform = 'jd' and store_entry_users is not null)
        or buyers > link_click_users
        or orders < buyers
        or (buyers = 0 and orders > 0)
)

select * from final
