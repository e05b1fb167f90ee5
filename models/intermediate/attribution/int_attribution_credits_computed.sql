{#- Attribution credits at the grain order × model × note.

    Each touch gets a weight under each model (macro attribution_weight);
    weights are normalised per order and model and summed per note. Credits
    are exact decimals: every note but the one with the latest touch gets its
    credit rounded to 12 decimals, that note gets 1 minus the others, so the
    credits of an order and model add up to exactly 1. Money works the same
    way: every note but the latest gets credit × GMV rounded down to the fen,
    the latest gets the rest, so attributed GMV adds up to exactly the order's
    GMV and never exceeds it. Notes left with no credit are dropped. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='attribution_credit_id',
    on_schema_change='fail',
    pre_hook="{{ delete_partition_window('order_date') }}",
) }}

with

touches as (
    select
        conversion_id,
        platform,
        order_id,
        note_id,
        brand_account_id,
        brand_name,
        touch_rank,
        touch_count,
        hours_before_order,
        gmv_cny,
        net_gmv_cny,
        is_direct_link_path,
        order_date,
        ordered_at,
        event_at
    from {{ ref('int_touchpoints_joined_to_orders') }}
    where {{ in_partition_window('order_date') }}
),

attribution_models as (
    {{ attribution_models_relation() }}
),

weighted_touches as (
    select
        touches.*,
        attribution_models.attribution_model,
        cast({{ attribution_weight(
            'attribution_models.attribution_model',
            'touches.touch_rank',
            'touches.touch_count',
            'touches.hours_before_order',
        ) }} as {{ type_ratio() }}) as touch_weight
    from touches
    cross join attribution_models
),

credited_touches as (
    select
        *,
        touch_weight / sum(touch_weight) over (
            partition by conversion_id, attribution_model
        ) as touch_credit
    from weighted_touches
),

note_credits as (
    select
        conversion_id,
        attribution_model,
        note_id,
        platform,
        order_id,
        brand_account_id,
        brand_name,
        gmv_cny,
        net_gmv_cny,
        order_date,
        ordered_at,
        sum(touch_credit) as raw_credit,
        count(*) as touches,
        max(case when is_direct_link_path then 1 else 0 end) as direct_link_flag,
        min(event_at) as first_touch_at,
        max(event_at) as last_touch_at
    from credited_touches
    group by
        conversion_id,
        attribution_model,
        note_id,
        platform,
        order_id,
        brand_account_id,
        brand_name,
        gmv_cny,
        net_gmv_cny,
        order_date,
        ordered_at
),

ranked_note_credits as (
    select
        *,
        row_number() over (
            partition by conversion_id, attribution_model
            order by last_touch_at desc, note_id desc
        ) as note_recency_rank
    from note_credits
),

rounded_credits as (
    select
        *,
        case
            when note_recency_rank > 1 then cast({{ round_double('raw_credit', 12) }} as {{ type_credit() }})
        end as earlier_note_credit
    from ranked_note_credits
),

credit_remainders as (
    select
        *,
        coalesce(sum(earlier_note_credit) over (
            partition by conversion_id, attribution_model
        ), 0) as earlier_notes_credit
    from rounded_credits
),

exact_credits as (
    select
        *,
        case
            when note_recency_rank = 1
                then cast(1 - earlier_notes_credit as {{ type_credit() }})
            else earlier_note_credit
        end as credit
    from credit_remainders
),

-- wide enough that credit × GMV × 100 never overflows
widened_credits as (
    select
        *,
        cast(credit as {{ type_wide_credit() }}) as wide_credit
    from exact_credits
),

rounded_money as (
    select
        *,
        case
            when note_recency_rank > 1
                then cast(floor(wide_credit * gmv_cny * 100) / 100 as {{ type_money() }})
        end as earlier_note_gmv_cny,
        case
            when note_recency_rank > 1
                then cast(floor(wide_credit * net_gmv_cny * 100) / 100 as {{ type_money() }})
        end as earlier_note_net_gmv_cny
    from widened_credits
),

money_remainders as (
    select
        *,
        coalesce(sum(earlier_note_gmv_cny) over (
            partition by conversion_id, attribution_model
        ), 0) as earlier_notes_gmv_cny,
        coalesce(sum(earlier_note_net_gmv_cny) over (
            partition by conversion_id, attribution_model
        ), 0) as earlier_notes_net_gmv_cny
    from rounded_money
),

exact_money as (
    select
        *,
        case
            when note_recency_rank = 1
                then cast(gmv_cny - earlier_notes_gmv_cny as {{ type_money() }})
            else earlier_note_gmv_cny
        end as attributed_gmv_cny,
        case
            when note_recency_rank = 1
                then cast(net_gmv_cny - earlier_notes_net_gmv_cny as {{ type_money() }})
            else earlier_note_net_gmv_cny
        end as attributed_net_gmv_cny
    from money_remainders
),

final as (
    select
        {{ dbt.concat([
            "conversion_id", "'|'", "attribution_model", "'|'", "note_id",
        ]) }} as attribution_credit_id,
        conversion_id,
        platform,
        order_id,
        attribution_model,
        note_id,
        brand_account_id,
        brand_name,
        -- cast again: PostgreSQL keeps no scale through a CASE whose ELSE is NULL
        cast(credit as {{ type_credit() }}) as credit,
        cast(attributed_gmv_cny as {{ type_money() }}) as attributed_gmv_cny,
        cast(attributed_net_gmv_cny as {{ type_money() }}) as attributed_net_gmv_cny,
        gmv_cny,
        net_gmv_cny,
        cast(touches as {{ dbt.type_bigint() }}) as touches,
        direct_link_flag = 1 as is_direct_link_path,
        order_date,
        ordered_at,
        first_touch_at,
        last_touch_at
    from exact_money
    where
        credit <> 0
        or attributed_gmv_cny <> 0
)

select * from final
