{#- Accepted rows of xhs/ad_spend_daily: parsed, typed and checked in
    base_xhs__ad_spend_daily_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('xhs', 'ad_spend_daily') }}
