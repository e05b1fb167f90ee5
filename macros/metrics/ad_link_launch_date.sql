{#- The day the link under ad notes launched in the pilot industries
    (var('ad_link_launch_date'), set in dbt_project.yml), as a date literal. -#}
{% macro ad_link_launch_date() -%}
    cast('{{ var('ad_link_launch_date') }}' as date)
{%- endmacro %}
