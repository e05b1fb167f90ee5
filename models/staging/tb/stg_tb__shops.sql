{#- Accepted rows of tb/shops: parsed, typed and checked in
    base_tb__shops_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('tb', 'shops') }}
