{#- Accepted rows of xhs/note_events: parsed, typed and checked in
    base_xhs__note_events_checked; rejected rows are in the quarantine. -#}
{{ accepted_rows('xhs', 'note_events') }}
