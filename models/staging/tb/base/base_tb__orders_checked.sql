{#- Every row of tb/orders parsed and checked against the raw contract
    (models/staging/tb/_tb__sources.yml): see checked_rows.
    Incremental by paid_date: a daily partition run checks its window again. -#}
{{ checked_rows('tb', 'orders', partitioned_by='paid_date') }}
