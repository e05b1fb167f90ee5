{#- Attribution credits at the grain order × model × note.

    Each touch gets a whole-number weight under each model (macro
    attribution_weight_units); a note's exact share of an order is the sum of
    its touches' weights ÷ the order's. Credits are exact decimals: every note
    but the one with the latest touch gets its share rounded to 12 decimals,
    that note gets 1 minus the others, so the credits of an order and model
    add up to exactly 1. Money is split in whole fen with integer arithmetic
    (macro floor_share): every note but the latest gets floor(order fen ×
    note weight ÷ order weight), the latest gets the rest, so attributed GMV
    adds up to exactly the order's GMV and never exceeds it. Notes left with
    no credit are dropped. -#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **daily_partitioned_incremental('order_date', 'attribution_credit_id'),
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

timed_touches as (
    select
        *,
        hours_before_order - min(hours_before_order) over (
            partition by conversion_id
        ) as hours_before_latest_touch
    from touches
),

weighted_touches as (
    select
        timed_touches.*,
        attribution_models.attribution_model,
        {{ attribution_weight_units(
            'attribution_models.attribution_model',
            'timed_touches.touch_rank',
            'timed_touches.touch_count',
            'timed_touches.hours_before_latest_touch',
        ) }} as touch_weight
    from timed_touches
    cross join attribution_models
),

note_weights as (
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
        sum(touch_weight) as note_weight,
        count(*) as touches,
        max(case when is_direct_link_path then 1 else 0 end) as direct_link_flag,
        min(event_at) as first_touch_at,
        max(event_at) as last_touch_at
    from weighted_touches
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

ranked_note_weights as (
    select
        *,
        sum(note_weight) over (
            partition by conversion_id, attribution_model
        ) as order_weight,
        cast(note_weight as {{ type_ratio() }}) / sum(note_weight) over (
            partition by conversion_id, attribution_model
        ) as note_share,
        {{ money_to_fen('gmv_cny') }} as gmv_fen,
        {{ money_to_fen('net_gmv_cny') }} as net_gmv_fen,
        row_number() over (
            partition by conversion_id, attribution_model
            order by last_touch_at desc, note_id desc
        ) as note_recency_rank
    from note_weights
),

earlier_note_shares as (
    select
        *,
        case
            when note_recency_rank > 1
                then cast({{ round_double('note_share', 12) }} as {{ type_credit() }})
        end as earlier_note_credit,
        case
            when note_recency_rank > 1
                then {{ floor_share('gmv_fen', 'note_weight', 'order_weight') }}
        end as earlier_note_gmv_fen,
        case
            when note_recency_rank > 1
                then {{ floor_share('net_gmv_fen', 'note_weight', 'order_weight') }}
        end as earlier_note_net_gmv_fen
    from ranked_note_weights
),

remainders as (
    select
        *,
        coalesce(sum(earlier_note_credit) over (
            partition by conversion_id, attribution_model
        ), 0) as earlier_notes_credit,
        coalesce(sum(earlier_note_gmv_fen) over (
            partition by conversion_id, attribution_model
        ), 0) as earlier_notes_gmv_fen,
        coalesce(sum(earlier_note_net_gmv_fen) over (
            partition by conversion_id, attribution_model
        ), 0) as earlier_notes_net_gmv_fen
    from earlier_note_shares
),

exact_shares as (
    select
        *,
        case
            when note_recency_rank = 1
                then cast(1 - earlier_notes_credit as {{ type_credit() }})
            else earlier_note_credit
        end as credit,
        case
            when note_recency_rank = 1
                then {{ fen_to_money('gmv_fen - earlier_notes_gmv_fen') }}
            else {{ fen_to_money('earlier_note_gmv_fen') }}
        end as attributed_gmv_cny,
        case
            when note_recency_rank = 1
                then {{ fen_to_money('net_gmv_fen - earlier_notes_net_gmv_fen') }}
            else {{ fen_to_money('earlier_note_net_gmv_fen') }}
        end as attributed_net_gmv_cny
    from remainders
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
    from exact_shares
    where
        credit <> 0
        or attributed_gmv_cny <> 0
)

select * from final
