{#- Every row of xhs/note_events parsed and checked against the raw contract
    (models/staging/xhs/_xhs__sources.yml): see checked_rows.
    Incremental by event_date: a daily partition run checks its window again. -#}
{{ checked_rows('xhs', 'note_events', partitioned_by='event_date') }}
