{#- Engines without roles: dbt's `grants` config (the marts' SELECT for the BI
    role) has nothing to apply there. DuckDB has no roles (dbt-duckdb would
    warn on every build that grants are not supported): BI reads DuckDB through
    the published copy (src/redcat/publish.py). A local Spark session has no
    roles either (no authorizer: `GRANT` and `SHOW GRANTS` fail); a shared
    Spark cluster grants through its catalog (docs/engines.md). The grants take
    effect on PostgreSQL. These project macros take the place of the adapters'
    for adapter.dispatch('apply_grants'). -#}
{% macro duckdb__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}

{% macro spark__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}
