{#- xhs event types that are click touches (they outrank views). -#}
{% macro click_touch_event_types() -%}
    {{ return(['read', 'like', 'save', 'comment', 'share', 'link_click']) }}
{%- endmacro %}
