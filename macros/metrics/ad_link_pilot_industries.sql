{#- Industries where the ad link launched first (var('ad_link_pilot_industries'),
    default beauty and sports), as a list. -#}
{% macro ad_link_pilot_industries() -%}
    {{ return(var('ad_link_pilot_industries', ['beauty', 'sports'])) }}
{%- endmacro %}
