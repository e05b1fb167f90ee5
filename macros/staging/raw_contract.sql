{#- The raw contract as the staging layer reads it: the table's declaration
    in var raw_contract (dbt_project.yml, documented there and in
    docs/sources.md), its columns turned into what the base_ and _checked
    models need: the snake_case name, the encoding's check phase, the name of
    the trimmed text and of the typed value. A var, not source meta: unit
    tests compile models without the project's graph. -#}
{% macro raw_contract(source_name, table_name) -%}
    {%- set table = var('raw_contract').tables.get(source_name ~ '__' ~ table_name) -%}
    {%- if table is none -%}
        {{ exceptions.raise_compiler_error('raw_contract: no table ' ~ source_name ~ '__' ~ table_name) }}
    {%- endif -%}
    {%- set encodings = raw_encodings() -%}
    {%- set columns = [] -%}
    {%- for meta in table.columns -%}
        {%- set name = meta.name -%}
        {%- set snake = modules.re.sub('([a-z])([A-Z])', '\\1_\\2', name) | lower -%}
        {%- set encoding = meta.get('encoding') or ('enumeration' if meta.get('values') else 'text') -%}
        {%- if encoding not in encodings -%}
            {{ exceptions.raise_compiler_error(
                'raw_contract: ' ~ source_name ~ '.' ~ table_name ~ '.' ~ name ~ ': unknown encoding ' ~ encoding
            ) }}
        {%- endif -%}
        {%- set spec = encodings[encoding] -%}
        {%- set typed = meta.get('as') or snake -%}
        {%- do columns.append({
            'name': name,
            'snake': snake,
            'encoding': encoding,
            'phase': spec.phase,
            'values': meta.get('values'),
            'nullable': meta.get('nullable', false),
            'typed': typed,
            'text': (snake ~ '__text') if spec.parsed else typed,
            'label': meta.get('label'),
            'local_date': meta.get('local_date'),
            'reject': meta.get('reject') or {},
            'staged_type': meta.get('staged_type'),
        }) -%}
    {%- endfor -%}
    {{ return({
        'columns': columns,
        'key': table.get('key') or [columns[0].snake],
        'key_as': table.get('key_as'),
        'duplicate_rule': table.get('duplicate_rule', 'duplicate_row'),
        'derived': table.get('derived') or {},
        'rules': table.get('rules') or [],
    }) }}
{%- endmacro %}

{#- The encodings a raw column may have: the check phase of its rule (rules
    run missing, duplicates, then hash, enum, value and time rules, each in
    column order), whether the text is parsed into a typed column, and the
    suffix of the rule a value that does not parse breaks. -#}
{% macro raw_encodings() -%}
    {{ return({
        'text': {'phase': none, 'parsed': false},
        'enumeration': {'phase': 'enum', 'parsed': false, 'invalid': 'not_in_contract'},
        'sha256_hex': {'phase': 'hash', 'parsed': false, 'invalid': 'not_64_lowercase_hex'},
        'code': {'phase': 'enum', 'parsed': true},
        'integer': {'phase': 'value', 'parsed': true, 'invalid': 'not_integer'},
        'integer_fen': {'phase': 'value', 'parsed': true, 'invalid': 'not_integer_fen'},
        'decimal_yuan': {'phase': 'value', 'parsed': true, 'invalid': 'not_decimal_yuan'},
        'number': {'phase': 'value', 'parsed': true, 'invalid': 'not_number'},
        'boolean': {'phase': 'value', 'parsed': true, 'invalid': 'not_boolean'},
        'iso_date': {'phase': 'time', 'parsed': true, 'invalid': 'not_iso_date'},
        'iso8601_offset': {'phase': 'time', 'parsed': true, 'invalid': 'not_iso8601_with_offset'},
        'shanghai_wall_clock': {'phase': 'time', 'parsed': true, 'invalid': 'not_shanghai_wall_clock'},
        'epoch_ms': {'phase': 'time', 'parsed': true, 'invalid': 'not_epoch_milliseconds'},
        'epoch_s': {'phase': 'time', 'parsed': true, 'invalid': 'not_epoch_seconds'},
    }) }}
{%- endmacro %}

{#- The typed value of a column, parsed from its trimmed text. -#}
{% macro raw_column_parsed(column) -%}
    {%- set text, encoding = column.text, column.encoding -%}
    {%- if encoding == 'code' -%}
        {{ text_to_integer(text, dbt.type_int()) }}
    {%- elif encoding == 'integer' -%}
        {{ text_to_integer(text, column.staged_type) }}
    {%- elif encoding == 'integer_fen' -%}
        {{ fen_to_yuan(text) }}
    {%- elif encoding == 'decimal_yuan' -%}
        {{ yuan_to_decimal(text) }}
    {%- elif encoding == 'number' -%}
        {{ text_to_double(text) }}
    {%- elif encoding == 'boolean' -%}
        {{ text_to_boolean(text) }}
    {%- elif encoding == 'iso_date' -%}
        {{ text_to_date(text) }}
    {%- elif encoding == 'iso8601_offset' -%}
        {{ iso8601_to_utc(text) }}
    {%- elif encoding == 'shanghai_wall_clock' -%}
        {{ wall_clock_to_utc(text, 'Asia/Shanghai') }}
    {%- elif encoding == 'epoch_ms' -%}
        {{ epoch_to_utc(text, 'ms') }}
    {%- elif encoding == 'epoch_s' -%}
        {{ epoch_to_utc(text, 's') }}
    {%- endif -%}
{%- endmacro %}

{#- The (rule, condition) pairs of one column's value, in check order: the
    value does not parse (or is not one of the contract's values), then its
    `reject` rules. Two conditions are words: `future` (a time later than the
    build's start plus var plausible_clock_skew_minutes; for a date, later
    than the build's local day) and `before_first_day` (a time before var
    plausible_first_day, 00:00 UTC). -#}
{% macro raw_column_rules(column) -%}
    {%- set rules = [] -%}
    {%- set encoding = column.encoding -%}
    {%- if encoding == 'enumeration' -%}
        {%- set invalid = 'not ' ~ in_contract_values(column.text, column['values']) -%}
        {%- do rules.append((column.snake ~ '_not_in_contract',
            (column.text ~ ' is not null and ' ~ invalid) if column.nullable else invalid)) -%}
    {%- elif encoding == 'sha256_hex' -%}
        {%- do rules.append((column.snake ~ '_not_64_lowercase_hex', 'not ' ~ is_lowercase_sha256(column.text))) -%}
    {%- elif encoding == 'code' -%}
        {%- set codes = contract_values(column['values']) | length -%}
        {%- do rules.append((column.snake ~ '_not_in_1_to_' ~ codes,
            column.typed ~ ' is null or ' ~ column.typed ~ ' not between 1 and ' ~ codes)) -%}
    {%- elif column.phase is not none -%}
        {%- set invalid = column.typed ~ ' is null' -%}
        {%- do rules.append((column.snake ~ '_' ~ raw_encodings()[encoding].invalid,
            (column.text ~ ' is not null and ' ~ invalid) if column.nullable else invalid)) -%}
    {%- endif -%}
    {%- for suffix, condition in column.reject.items() -%}
        {%- if condition == 'future' and encoding == 'iso_date' -%}
            {%- set condition = '> ' ~ utc_to_local_date(build_started_at()) -%}
        {%- elif condition == 'future' -%}
            {%- set condition = '> ' ~ dbt.dateadd('minute', var('plausible_clock_skew_minutes'), build_started_at()) -%}
        {%- elif condition == 'before_first_day' and encoding == 'iso_date' -%}
            {%- set condition = "< cast('" ~ var('plausible_first_day') ~ "' as date)" -%}
        {%- elif condition == 'before_first_day' -%}
            {%- set condition = "< cast('" ~ var('plausible_first_day') ~ " 00:00:00' as " ~ dbt.type_timestamp() ~ ")" -%}
        {%- endif -%}
        {%- do rules.append((column.snake ~ '_' ~ suffix, column.typed ~ ' ' ~ condition)) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}

{#- Every (rule, condition) of a table in check order: the first that holds
    rejects the row. -#}
{% macro raw_table_rules(contract) -%}
    {%- set rules = [] -%}
    {%- for column in contract.columns if not column.nullable -%}
        {%- do rules.append((column.snake ~ '_missing', column.text ~ ' is null')) -%}
    {%- endfor -%}
    {%- do rules.append(('conflicting_duplicate_key', 'has_conflicting_copies')) -%}
    {%- do rules.append((contract.duplicate_rule, 'copy_number > 1')) -%}
    {%- for phase in ['hash', 'enum', 'value', 'time'] -%}
        {%- for column in contract.columns if column.phase == phase -%}
            {%- do rules.extend(raw_column_rules(column)) -%}
        {%- endfor -%}
        {%- for rule in contract.rules if rule.get('after', 'time') == phase -%}
            {%- do rules.append((rule.name, rule.when)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}
