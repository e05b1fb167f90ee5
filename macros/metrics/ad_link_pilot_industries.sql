{#- Industries where the ad link launched first (var('ad_link_pilot_industries'),
    set in dbt_project.yml), as a list. -#}
{% macro ad_link_pilot_industries() -%}
    {{ return(var('ad_link_pilot_industries')) }}
{%- endmacro %}
