{#- The day the link under ad notes launched in the pilot industries
    (var('ad_link_launch_date'), default 2025-05-07), as a date literal. -#}
{% macro ad_link_launch_date() -%}
    cast('{{ var("ad_link_launch_date", "2025-05-07") }}' as date)
{%- endmacro %}
