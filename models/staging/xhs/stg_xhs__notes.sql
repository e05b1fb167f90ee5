{#- Accepted rows of xhs/notes: parsed, typed and checked in
    base_xhs__notes_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('xhs', 'notes') }}
