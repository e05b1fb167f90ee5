{#- xhs event types that are attribution touches: click touches and the view
    touch (impression). follow is not a touch. -#}
{% macro touch_event_types() -%}
    {{ return(click_touch_event_types() + ['impression']) }}
{%- endmacro %}
