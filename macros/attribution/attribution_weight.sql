{#- Unnormalised weight of one touch under an attribution model.

    touch_rank: 1 for the earliest touch of the order, touch_count for the last.
    last_touch / first_touch: 1 for that touch, 0 otherwise.
    linear: 1 for every touch.
    time_decay: 2 ^ (-hours_before_order / var('decay_half_life_hours')).
    position_based: 40% first, 40% last, 20% split evenly over the touches in
    between; one touch gets 1, two touches get 0.5 each. -#}
{% macro attribution_weight(attribution_model, touch_rank, touch_count, hours_before_order) -%}
    case {{ attribution_model }}
        when 'last_touch'
            then case when {{ touch_rank }} = {{ touch_count }} then 1.0 else 0.0 end
        when 'first_touch'
            then case when {{ touch_rank }} = 1 then 1.0 else 0.0 end
        when 'linear'
            then 1.0
        when 'time_decay'
            then power(2.0, -1.0 * {{ hours_before_order }} / {{ var('decay_half_life_hours') }})
        when 'position_based'
            then case
                when {{ touch_count }} = 1 then 1.0
                when {{ touch_count }} = 2 then 0.5
                when {{ touch_rank }} = 1 or {{ touch_rank }} = {{ touch_count }} then 0.4
                else 0.2 / ({{ touch_count }} - 2)
            end
    end
{%- endmacro %}
