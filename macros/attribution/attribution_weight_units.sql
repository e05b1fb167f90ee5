{#- Weight of one touch under an attribution model, as a whole number, so that
    a note's exact share of an order is its weight ÷ the order's weight and
    money splits to the fen with integer arithmetic only.

    touch_rank: 1 for the earliest touch of the order, touch_count for the last.
    last_touch / first_touch: 1 for that touch, 0 otherwise.
    linear: 1 for every touch.
    position_based: 40% first, 40% last, 20% split evenly over the n - 2
    touches in between, i.e. 2 × (n - 2) for the first and the last touch
    and 1 for each one in between; one touch gets 1, two touches 1 each.
    time_decay: 2 ^ (-hours_after / var('decay_half_life_hours')) taken to
    15 decimal places (× 10^15, rounded), where hours_after is the touch's
    hours before the order's latest touch: the latest touch weighs exactly
    10^15, and the shares are those of 2 ^ (-hours_before_order / half-life). -#}
{% macro attribution_weight_units(
    attribution_model, touch_rank, touch_count, hours_before_latest_touch
) -%}
    cast(case {{ attribution_model }}
        when 'last_touch'
            then case when {{ touch_rank }} = {{ touch_count }} then 1 else 0 end
        when 'first_touch'
            then case when {{ touch_rank }} = 1 then 1 else 0 end
        when 'linear'
            then 1
        when 'time_decay'
            then round(
                power(2.0, -1.0 * {{ hours_before_latest_touch }} / {{ var('decay_half_life_hours') }})
                * {{ time_decay_weight_scale() }}
            )
        when 'position_based'
            then case
                when {{ touch_count }} <= 2 then 1
                when {{ touch_rank }} = 1 or {{ touch_rank }} = {{ touch_count }}
                    then 2 * ({{ touch_count }} - 2)
                else 1
            end
    end as {{ dbt.type_bigint() }})
{%- endmacro %}
