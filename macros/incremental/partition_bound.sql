{#- A bound of the partition window (name: partition_start_date or
    partition_end_date, an ISO date), or none: the dbt var when given
    (dbt build --vars), else the environment variable REDCAT_<NAME> (what
    Dagster's partition runs set). The environment is read only while dbt
    executes, never while it parses: a new window each day then leaves dbt's
    partial parsing valid, where new --vars make dbt parse the whole project
    again. -#}
{% macro partition_bound(name) -%}
    {%- set given = var(name, none) -%}
    {%- if given is none and execute -%}
        {%- set given = env_var('REDCAT_' ~ (name | upper), '') | trim or none -%}
    {%- endif -%}
    {{- return(given) -}}
{%- endmacro %}
