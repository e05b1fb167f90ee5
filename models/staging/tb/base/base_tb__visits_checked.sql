{#- Every row of tb/visits parsed and checked against the raw contract
    (models/staging/tb/_tb__sources.yml): see checked_rows.
    Incremental by visited_date: a daily partition run checks its window again. -#}
{{ checked_rows('tb', 'visits', partitioned_by='visited_date') }}
