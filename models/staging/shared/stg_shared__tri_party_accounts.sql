{#- Accepted rows of shared/tri_party_accounts: parsed, typed and checked in
    base_shared__tri_party_accounts_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('shared', 'tri_party_accounts') }}
