{#- Accepted rows of tb/searches: parsed, typed and checked in
    base_tb__searches_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('tb', 'searches') }}
