{#- A one-column relation with one row per value (strings quoted, numbers as
    they are), for a cross join or as a small dimension. -#}
{% macro values_relation(values, column_name) -%}
    {%- for value in values %}
    select {% if value is string %}'{{ value }}'{% else %}{{ value }}{% endif %} as {{ column_name }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
