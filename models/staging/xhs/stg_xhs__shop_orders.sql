{#- Accepted rows of xhs/shop_orders: parsed, typed and checked in
    base_xhs__shop_orders_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('xhs', 'shop_orders') }}
