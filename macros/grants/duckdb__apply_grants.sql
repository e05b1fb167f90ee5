{#- DuckDB has no roles, so dbt's `grants` config (the marts' SELECT for the BI
    role) has nothing to apply there; dbt-duckdb would warn on every build that
    grants are not supported. BI reads DuckDB through the published copy
    (src/redcat/publish.py), and the grants take effect on PostgreSQL. This
    project macro takes the place of dbt-duckdb's for adapter.dispatch('apply_grants'). -#}
{% macro duckdb__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}
