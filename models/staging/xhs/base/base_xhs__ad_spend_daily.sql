{#- xhs/ad_spend_daily as delivered, every contract column as text: see delivered_as_text. -#}
{{ delivered_as_text('xhs', 'ad_spend_daily') }}
