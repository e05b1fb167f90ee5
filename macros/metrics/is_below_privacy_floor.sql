{#- True when a row aggregates fewer distinct cross-platform users than
    var('min_users_per_row'): such a row is published with its user-derived
    columns set to null and is_suppressed = true. -#}
{% macro is_below_privacy_floor(user_count) -%}
    (coalesce({{ user_count }}, 0) < {{ var('min_users_per_row') }})
{%- endmacro %}
