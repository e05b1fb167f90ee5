{#- Days on each side of the ad-link launch compared by the difference in
    differences: var('ad_link_did_window_days') (set in dbt_project.yml). -#}
{% macro ad_link_did_window_days() -%}
    {{ return(var('ad_link_did_window_days') | int) }}
{%- endmacro %}
