{#- Accepted rows of tb/visits: parsed, typed and checked in
    base_tb__visits_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('tb', 'visits') }}
