{#- The raw row as JSON text keyed by the contract's column names, for the
    quarantine. `columns` lists the columns of `relation_alias` in contract
    order: a name, or a (contract name, column) pair where they differ.
    `hash_columns` names (by contract name) the hashed user keys: their values
    go through redact_invalid_hash, so a raw phone number or e-mail delivered
    in one never reaches the quarantine. -#}
{% macro raw_row_json(relation_alias, columns, hash_columns=[]) -%}
    {%- set pairs = [] -%}
    {%- set names = [] -%}
    {%- for column in columns -%}
        {%- if column is string -%}
            {%- set name, expr = column, relation_alias ~ '.' ~ column -%}
        {%- else -%}
            {%- set name, expr = column[0], relation_alias ~ '.' ~ column[1] -%}
        {%- endif -%}
        {%- do names.append(name) -%}
        {%- if name in hash_columns -%}
            {%- do pairs.append((name, redact_invalid_hash(expr))) -%}
        {%- else -%}
            {%- do pairs.append((name, expr)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in hash_columns if name not in names -%}
        {{ exceptions.raise_compiler_error(
            'raw_row_json: hash column ' ~ name ~ ' is not one of the columns ' ~ names | join(', ')
        ) }}
    {%- endfor -%}
    {{ return(adapter.dispatch('raw_row_json', 'redcat')(pairs)) }}
{%- endmacro %}

{#- Spark: to_json leaves out NULL fields unless told to keep them; kept, the
    text is DuckDB's (`{"k":"v","n":null}`, no spaces, non-ASCII as is). -#}
{% macro default__raw_row_json(pairs) -%}
    to_json(named_struct(
        {%- for name, expr in pairs %}
            '{{ name }}', {{ expr }}{{ ',' if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}

{% macro duckdb__raw_row_json(pairs) -%}
    cast(json_object(
        {%- for name, expr in pairs %}
            '{{ name }}', {{ expr }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{#- PostgreSQL: json_build_object writes `{"k" : v}` with spaces; the object is
    written out instead, each value through to_json, so the text is the same as
    DuckDB's (`{"k":"v","n":null}`). -#}
{% macro postgres__raw_row_json(pairs) -%}
    (
        '{'
        {%- for name, expr in pairs %}
        || '{{ "," if not loop.first }}"{{ name }}":'
        || coalesce(cast(to_json({{ expr }}) as text), 'null')
        {%- endfor %}
        || '}'
    )
{%- endmacro %}
