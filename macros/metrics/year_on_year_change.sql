{#- Year-on-year change: this ÷ last − 1; null when last year is null or 0. -#}
{% macro year_on_year_change(this_year, last_year) -%}
    ({{ safe_divide(this_year, last_year) }} - 1)
{%- endmacro %}
