{#- The enumerations of the raw contract (SOURCES.md; src/redcat/contract.py
    holds the same lists for the generator and the loader). Staging rejects
    any other value. -#}
{% macro contract_values(enumeration) -%}
    {%- set enumerations = {
        'industries': ['beauty', 'sports', 'apparel', 'home', 'digital', 'food'],
        'account_types': ['brand', 'creator', 'buyer'],
        'note_kinds': ['organic', 'ad'],
        'link_platforms': ['taobao', 'jd', 'xhs_shop'],
        'event_types': ['impression', 'read', 'like', 'save', 'comment', 'share', 'follow', 'link_click'],
        'boost_types': ['heat', 'feed', 'search'],
        'tb_channels': ['xhs_ad_link', 'search', 'home_feed', 'live', 'other'],
        'tb_order_statuses': ['paid', 'shipped', 'completed', 'refunded', 'cancelled'],
        'jd_order_states': ['paid', 'shipped', 'completed', 'refunded', 'cancelled'],
        'match_platforms': ['taobao', 'jd'],
        'match_methods': ['phone_hash', 'device', 'login'],
    } -%}
    {%- if enumeration not in enumerations -%}
        {{ exceptions.raise_compiler_error('contract_values: unknown enumeration ' ~ enumeration) }}
    {%- endif -%}
    {{ return(enumerations[enumeration]) }}
{%- endmacro %}
