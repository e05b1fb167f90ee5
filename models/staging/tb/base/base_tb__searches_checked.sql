{#- Every row of tb/searches parsed and checked against the raw contract
    (models/staging/tb/_tb__sources.yml): see checked_rows.
    Incremental by searched_date: a daily partition run checks its window again. -#}
{{ checked_rows('tb', 'searches', partitioned_by='searched_date') }}
