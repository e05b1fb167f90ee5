{#- The attribution models every order is credited under, in a fixed order. -#}
{% macro attribution_models() -%}
    {{ return(['last_touch', 'first_touch', 'linear', 'time_decay', 'position_based']) }}
{%- endmacro %}
