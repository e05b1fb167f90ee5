{#- Every raw table of the contract with its staging model, in contract order:
    what the quarantine, its row counts and the reconciliation test loop over. -#}
{% macro staged_raw_tables() -%}
    {{ return([
        {'raw_table': 'xhs__accounts', 'staging_model': 'stg_xhs__accounts'},
        {'raw_table': 'xhs__notes', 'staging_model': 'stg_xhs__notes'},
        {'raw_table': 'xhs__note_events', 'staging_model': 'stg_xhs__note_events'},
        {'raw_table': 'xhs__ad_spend_daily', 'staging_model': 'stg_xhs__ad_spend_days'},
        {'raw_table': 'xhs__shop_orders', 'staging_model': 'stg_xhs__shop_orders'},
        {'raw_table': 'tb__shops', 'staging_model': 'stg_tb__shops'},
        {'raw_table': 'tb__items', 'staging_model': 'stg_tb__items'},
        {'raw_table': 'tb__visits', 'staging_model': 'stg_tb__visits'},
        {'raw_table': 'tb__searches', 'staging_model': 'stg_tb__searches'},
        {'raw_table': 'tb__orders', 'staging_model': 'stg_tb__orders'},
        {'raw_table': 'jd__shops', 'staging_model': 'stg_jd__shops'},
        {'raw_table': 'jd__orders', 'staging_model': 'stg_jd__orders'},
        {'raw_table': 'shared__tri_party_accounts', 'staging_model': 'stg_shared__tri_party_accounts'},
        {'raw_table': 'shared__user_matches', 'staging_model': 'stg_shared__user_matches'},
    ]) }}
{%- endmacro %}
