{#- Accepted rows of xhs/accounts: parsed, typed and checked in
    base_xhs__accounts_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('xhs', 'accounts') }}
