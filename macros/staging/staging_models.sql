{#- The select of a base_<source>__<table> view: the raw table as delivered,
    every contract column as text whatever the storage (seed, Parquet or CSV),
    in snake_case, nothing parsed yet. The columns come from the raw
    contract (raw_contract). -#}
{% macro delivered_as_text(source_name, table_name) -%}
    {%- set relation = raw_relation(source_name, table_name) -%}
    {%- set contract = raw_contract(source_name, table_name) %}
    select
        {%- for column in contract.columns %}
        {{ delivered_text(column) }} as {{ column.snake }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}

{#- A raw contract column of the raw relation as text (delivered_as_text). -#}
{% macro delivered_text(column) -%}
    {%- set delivered = adapter.quote(column.name) if column.name != column.snake else column.name -%}
    cast({{ delivered }} as {{ dbt.type_string() }})
{%- endmacro %}

{#- On a partition run, the first filter of the scan for the window's keys
    (checked_rows): raw_epoch_prefilter when the time column `column` is an
    epoch delivered as an integer column in `relation`, else none (a time
    delivered as text has to be parsed to be placed). -#}
{% macro delivered_time_prefilter(relation, column) -%}
    {%- set found = namespace(prefilter=none) -%}
    {%- if execute and column.encoding in ['epoch_ms', 'epoch_s'] -%}
        {%- for delivered in adapter.get_columns_in_relation(relation) -%}
            {%- if delivered.name | lower == column.name | lower and delivered.is_integer() -%}
                {%- set found.prefilter = raw_epoch_prefilter(column, adapter.quote(delivered.name)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found.prefilter) }}
{%- endmacro %}

{#- The select of a base_<source>__<table>_checked table: every delivered row
    parsed and checked once against the raw contract (raw_contract): the
    typed columns, the first rule the row breaks (`rejection_rule`, null when
    accepted), its key (`row_key`) and, for a rejected row only, the row as
    delivered as JSON (`raw_row`).

    Copies of a key: the keys delivered more than once are found by one hash
    aggregate; the rows of every other key (almost all) pass with a hash
    join, and only the rows of repeated keys go through a window over the
    key. Copies whose delivered values are all the same (NULL included) are
    one row, every copy after the first rejected as a duplicate; when copies
    differ in any value, all are rejected. Key columns are required, so a row
    without its key is rejected as missing it before the copies count. The
    raw row as JSON is built for rejected rows only.

    `partitioned_by` (the local date of a time column, e.g. `event_date`)
    makes the table incremental on DuckDB and PostgreSQL (checked_rows_config):
    a daily partition run checks only the rows of its window (checked_rows_window)
    and every copy of the keys those rows carry, whatever day the copies are
    on (a hash join of the delivered keys with the window's), and the rows
    without a key, and replaces them; the other rows keep what the last run
    found. The table needs a one-column key. The scan for the window's keys
    reads the raw relation itself: a time delivered as an integer epoch is
    first filtered on the stored integer (delivered_time_prefilter), which
    skips the row groups far from the window instead of parsing every row. -#}
{% macro checked_rows(source_name, table_name, partitioned_by=none) -%}
    {%- set delivered = ref('base_' ~ source_name ~ '__' ~ table_name) -%}
    {%- set contract = raw_contract(source_name, table_name) -%}
    {%- set columns = contract.columns -%}
    {%- set text_of = {} -%}
    {%- for column in columns -%}
        {%- do text_of.update({column.snake: column.text}) -%}
    {%- endfor -%}
    {%- set key = [] -%}
    {%- for name in contract.key -%}
        {%- if name not in text_of or (columns | selectattr('snake', 'equalto', name) | first).nullable -%}
            {{ exceptions.raise_compiler_error(
                'raw_contract: ' ~ source_name ~ '__' ~ table_name ~ ': key column ' ~ name
                ~ ' is not a required column of the table'
            ) }}
        {%- endif -%}
        {%- do key.append(text_of[name]) -%}
    {%- endfor -%}
    {%- set partition, matches = [], [] -%}
    {%- for name in key -%}
        {%- do partition.append('delivered.' ~ name) -%}
        {%- do matches.append('delivered.' ~ name ~ ' = duplicated_keys.' ~ name) -%}
    {%- endfor -%}
    {%- set by_copies = 'over (partition by ' ~ partition | join(', ') ~ ')' -%}
    {#- Copies of a key that are all the same are interchangeable, so any order
        numbers them; Spark wants row_number's window ordered. -#}
    {%- set numbering_copies = 'over (partition by ' ~ partition | join(', ') ~ ' order by ' ~ partition | join(', ') ~ ')' -%}
    {%- set key_matches = matches | join(' and ') -%}
    {%- if partitioned_by is not none -%}
        {%- set dated_by = checked_rows_dated_by(source_name, table_name, partitioned_by) -%}
        {%- set key_column = (columns | selectattr('text', 'equalto', key[0]) | first) -%}
        {{ config(**checked_rows_config(source_name, table_name, partitioned_by)) }}
    {%- endif -%}
    {%- set in_window = partitioned_by is not none and is_partition_run() -%}
with

{% if in_window -%}
{#- read directly, not through `delivered`, so a filter on a typed time
    reaches the raw table's row groups -#}
{%- set raw = raw_relation_in_graph(source_name, table_name) -%}
{%- set prefilter = delivered_time_prefilter(raw, dated_by) -%}
keys_in_window as (

    select distinct {{ key[0] }}
    from (
        select
            {{ key[0] }},
            {{ raw_column_parsed(dated_by) }} as {{ dated_by.typed }}
        from (
            select
                {{ clean_text(delivered_text(key_column)) }} as {{ key[0] }},
                {{ clean_text(delivered_text(dated_by)) }} as {{ dated_by.text }}
            from {{ raw }}
            {%- if prefilter %}
            where {{ prefilter }}
            {%- endif %}
        ) as cleaned
    ) as parsed
    where {{ key[0] }} is not null
        and ({{ checked_rows_window(dated_by, utc_to_local_date(dated_by.typed)) }})

),

{% endif -%}
{#- Read more than once below: on a partition run the window's few rows are
    stored, on any other run every delivered row is read again (inlined_cte). -#}
delivered as {% if not in_window %}{{ inlined_cte() }} {% endif %}(

    select
        {%- for column in columns %}
        {{ column.snake }} as raw__{{ column.snake }},
        {{ clean_text(column.snake) }} as {{ column.text }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ delivered }}
    {%- if in_window %}
    where {{ clean_text(key_column.snake) }} is null
        or {{ clean_text(key_column.snake) }} in (select {{ key[0] }} from keys_in_window)
    {%- endif %}

),

duplicated_keys as (

    select {{ key | join(', ') }}
    from delivered
    group by {{ key | join(', ') }}
    having count(*) > 1

),

copies_compared as (

    select
        delivered.*,
        1 as copy_number,
        false as has_conflicting_copies
    from delivered
    left join duplicated_keys
        on {{ key_matches }}
    where duplicated_keys.{{ key[0] }} is null

    union all

    select
        delivered.*,
        row_number() {{ numbering_copies }} as copy_number,
        (
            {%- for column in columns %}
            coalesce(min(raw__{{ column.snake }}) {{ by_copies }} <> max(raw__{{ column.snake }}) {{ by_copies }}, false)
            or count(raw__{{ column.snake }}) {{ by_copies }} not in (0, count(*) {{ by_copies }})
            {{- ' or' if not loop.last }}
            {%- endfor %}
        ) as has_conflicting_copies
    from delivered
    inner join duplicated_keys
        on {{ key_matches }}

),

parsed as (

    select
        *
        {%- for column in columns if column.text != column.typed %},
        {{ raw_column_parsed(column) }} as {{ column.typed }}
        {%- endfor %}
    from copies_compared

),

checked as (

    select
        *,
        case
            {%- for rule, condition in raw_table_rules(contract) %}
            when {{ condition }} then '{{ rule }}'
            {%- endfor %}
        end as rejection_rule,
        {% if key | length == 1 -%}
            {{ key[0] }}
        {%- else -%}
            {%- set parts = [] -%}
            {%- for name in contract.key -%}
                {%- set column = (columns | selectattr('snake', 'equalto', name) | first) -%}
                {%- set text = redact_invalid_hash(column.text, cleaned=true) if column.encoding == 'sha256_hex' else column.text -%}
                {%- do parts.extend(["coalesce(" ~ text ~ ", '')", "'|'"]) -%}
            {%- endfor -%}
            {{ dbt.concat(parts[:-1]) }}
        {%- endif %} as row_key
    from parsed

),

final as (

    select
        {%- for name, expr in staged_columns(contract) %}
        {{ expr }}{{ (' as ' ~ name) if expr != name }},
        {%- endfor %}
        rejection_rule,
        row_key,
        {%- set raw_columns, hash_columns = [], [] -%}
        {%- for column in columns -%}
            {%- do raw_columns.append((column.name, 'raw__' ~ column.snake)) -%}
            {%- if column.encoding == 'sha256_hex' -%}{%- do hash_columns.append(column.name) -%}{%- endif -%}
        {%- endfor %}
        case when rejection_rule is not null then {{ raw_row_json('checked', raw_columns, hash_columns) }} end as raw_row
    from checked

)

select * from final
{%- endmacro %}

{#- The typed columns of a raw table's _checked model, as (name, SQL over the
    `checked` CTE) pairs in order: the composite key's column, each contract
    column's typed value (a hash only when valid), its label and local date,
    then the derived columns. The stg_ model of the table selects them. -#}
{% macro staged_columns(contract) -%}
    {%- set staged = [] -%}
    {%- if contract.key_as -%}
        {%- do staged.append((contract.key_as, 'row_key')) -%}
    {%- endif -%}
    {%- for column in contract.columns -%}
        {%- if column.encoding == 'sha256_hex' -%}
            {#- an accepted row passed the hash rule: its value is valid (or NULL), so
                only a rejected row's value is matched again -#}
            {%- do staged.append((column.typed,
                'case when rejection_rule is null then ' ~ column.typed
                ~ ' when ' ~ is_lowercase_sha256(column.typed) ~ ' then ' ~ column.typed ~ ' end')) -%}
        {%- else -%}
            {%- do staged.append((column.typed, column.typed)) -%}
        {%- endif -%}
        {%- if column.label -%}
            {%- set cases = [] -%}
            {%- for value in contract_values(column['values']) -%}
                {%- do cases.append('when ' ~ loop.index ~ " then '" ~ value ~ "'") -%}
            {%- endfor -%}
            {%- do staged.append((column.label, 'case ' ~ column.typed ~ ' ' ~ cases | join(' ') ~ ' end')) -%}
        {%- endif -%}
        {%- if column.local_date -%}
            {%- do staged.append((column.local_date, utc_to_local_date(column.typed))) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name, expr in contract.derived.items() -%}
        {%- do staged.append((name, expr)) -%}
    {%- endfor -%}
    {{ return(staged) }}
{%- endmacro %}

{#- The select of a stg_ model: the accepted rows of the raw table's _checked
    model (rejection_rule null), its typed columns (staged_columns). -#}
{% macro accepted_rows(source_name, table_name) -%}
    {%- set checked = ref('base_' ~ source_name ~ '__' ~ table_name ~ '_checked') -%}
    select
        {%- for name, expr in staged_columns(raw_contract(source_name, table_name)) %}
        {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ checked }}
    where rejection_rule is null
{%- endmacro %}

{#- The config of a _checked table partitioned by a local date (checked_rows'
    `partitioned_by`): incremental with delete+insert on `row_key`, after a
    pre-hook has deleted the rows of the window (checked_rows_window). The
    insert's delete by `row_key` then replaces every copy of a key the window
    holds, on any day. A first build and --full-refresh create the table
    whole. -#}
{% macro checked_rows_config(source_name, table_name, partitioned_by) -%}
    {{ return(adapter.dispatch('checked_rows_config', 'redcat')(source_name, table_name, partitioned_by)) }}
{%- endmacro %}

{% macro default__checked_rows_config(source_name, table_name, partitioned_by) -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'row_key',
        'pre_hook': "{{ delete_checked_rows_window('" ~ source_name ~ "', '" ~ table_name ~ "', '" ~ partitioned_by ~ "') }}",
    }) }}
{%- endmacro %}

{#- Spark: a Parquet table has no delete, so the _checked tables are built
    whole on every run. -#}
{% macro spark__checked_rows_config(source_name, table_name, partitioned_by) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{#- Predicate: the row belongs to the window a partition run checks again.
    Its local date (`local_date_expr`, of the required time column `column`)
    is in the partition window (in_partition_window), or the time breaks a
    rule (does not parse, is in the future, before plausible_first_day):
    such rows have no day to wait for, so every partition run checks them
    again, and a row whose time stops being in the future is found. -#}
{% macro checked_rows_window(column, local_date_expr) -%}
    {%- set broken = [] -%}
    {%- for rule, condition in raw_column_rules(column) -%}
        {%- do broken.append('(' ~ condition ~ ')') -%}
    {%- endfor -%}
    ({{ in_partition_window(local_date_expr) }}) or {{ broken | join(' or ') }}
{%- endmacro %}

{#- Pre-hook of a partitioned _checked table: on a partition run, delete the
    rows of the window (checked_rows_window) before the run inserts them
    again; every row on an incremental run without a window; nothing on a
    first build or --full-refresh. -#}
{% macro delete_checked_rows_window(source_name, table_name, partitioned_by) -%}
    {%- if is_incremental() -%}
        {%- set column = checked_rows_dated_by(source_name, table_name, partitioned_by) -%}
        delete from {{ this }}
        where {{ ('row_key is null or ' ~ checked_rows_window(column, partitioned_by)) if is_partition_run() else '1 = 1' }}
    {%- endif -%}
{%- endmacro %}

{#- The raw contract's column whose local date (`local_date`) is
    `partitioned_by`, for checked_rows and its pre-hook; a compile error
    unless it is a required column of a table with a one-column key. -#}
{% macro checked_rows_dated_by(source_name, table_name, partitioned_by) -%}
    {%- set contract = raw_contract(source_name, table_name) -%}
    {%- set column = (contract.columns | selectattr('local_date', 'equalto', partitioned_by) | first) -%}
    {%- if column is not defined or column.nullable or contract.key | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            'checked_rows: ' ~ source_name ~ '__' ~ table_name ~ ': partitioned_by needs a one-column key and '
            ~ partitioned_by ~ ' the local_date of a required column'
        ) }}
    {%- endif -%}
    {{ return(column) }}
{%- endmacro %}
