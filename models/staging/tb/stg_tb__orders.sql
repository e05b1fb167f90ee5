{#- Accepted rows of tb/orders: parsed, typed and checked in
    base_tb__orders_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('tb', 'orders') }}
