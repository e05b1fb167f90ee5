{#- Text boolean as files deliver it (true/false, t/f, 1/0, yes/no, any case)
    to `boolean`; NULL for anything else. -#}
{% macro text_to_boolean(text_expr) -%}
    case
        when lower({{ text_expr }}) in ('true', 't', '1', 'yes', 'y') then true
        when lower({{ text_expr }}) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}
