{#- A list as a comma-separated SQL list of literals: strings quoted
    ('a', 'b'), numbers as they are (0, 1). -#}
{% macro sql_values_list(values) -%}
    {%- for value in values -%}
        {%- if value is string -%}'{{ value }}'{%- else -%}{{ value }}{%- endif -%}
        {%- if not loop.last %}, {% endif -%}
    {%- endfor -%}
{%- endmacro %}
