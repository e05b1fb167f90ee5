{#- The raw row as JSON text keyed by the contract's column names, for the
    quarantine. `columns` lists the columns of `relation_alias` in contract
    order: a name, or a (contract name, column) pair where they differ. -#}
{% macro raw_row_json(relation_alias, columns) -%}
    {%- set pairs = [] -%}
    {%- for column in columns -%}
        {%- if column is string -%}
            {%- do pairs.append((column, relation_alias ~ '.' ~ column)) -%}
        {%- else -%}
            {%- do pairs.append((column[0], relation_alias ~ '.' ~ column[1])) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('raw_row_json', 'redcat')(pairs)) }}
{%- endmacro %}

{% macro default__raw_row_json(pairs) -%}
    to_json(named_struct(
        {%- for name, expr in pairs %}
            '{{ name }}', {{ expr }}{{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}

{% macro duckdb__raw_row_json(pairs) -%}
    cast(json_object(
        {%- for name, expr in pairs %}
            '{{ name }}', {{ expr }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}
