{#- Every row of jd/orders parsed and checked against the raw contract
    (models/staging/jd/_jd__sources.yml): see checked_rows.
    Incremental by ordered_date: a daily partition run checks its window again. -#}
{{ checked_rows('jd', 'orders', partitioned_by='ordered_date') }}
