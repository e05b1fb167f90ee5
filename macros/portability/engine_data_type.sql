{#- A column type as the YAML spells it (contracts of the marts, seed column
    types), in the spelling of the current engine. The YAML uses names DuckDB
    and PostgreSQL both read (`text`, `varchar`, `double precision`); Spark
    has none of them (`string`, `double`) and rejects `varchar` without a
    length. Every other type (bigint, integer, boolean, date, timestamp,
    decimal(p,s)) is spelled the same on all three. -#}
{% macro engine_data_type(data_type) -%}
    {{ return(adapter.dispatch('engine_data_type', 'redcat')(data_type)) }}
{%- endmacro %}

{% macro default__engine_data_type(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark__engine_data_type(data_type) -%}
    {%- set spellings = {
        'text': 'string',
        'varchar': 'string',
        'double precision': 'double',
    } -%}
    {{ return(spellings.get(data_type | trim | lower, data_type)) }}
{%- endmacro %}
