{#- Time-decay weights are taken to this many units (15 decimal places, about what a double holds). -#}
{% macro time_decay_weight_scale() -%}
    1000000000000000
{%- endmacro %}
