{#- Accepted rows of jd/shops: parsed, typed and checked in
    base_jd__shops_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('jd', 'shops') }}
