{#- Accepted rows of tb/items: parsed, typed and checked in
    base_tb__items_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('tb', 'items') }}
