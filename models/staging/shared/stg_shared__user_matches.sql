{#- Accepted rows of shared/user_matches: parsed, typed and checked in
    base_shared__user_matches_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('shared', 'user_matches') }}
