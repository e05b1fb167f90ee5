{#- numerator ÷ denominator as a ratio; null when the denominator is 0 or null. -#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ type_ratio() }}) / nullif(cast({{ denominator }} as {{ type_ratio() }}), 0))
{%- endmacro %}
