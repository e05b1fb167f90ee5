{#- Accepted rows of jd/orders: parsed, typed and checked in
    base_jd__orders_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('jd', 'orders') }}
