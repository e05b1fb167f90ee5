{#- The attribution models as a one-column relation (attribution_model), for
    a cross join. -#}
{% macro attribution_models_relation() -%}
    {{ values_relation(attribution_models(), 'attribution_model') }}
{%- endmacro %}
