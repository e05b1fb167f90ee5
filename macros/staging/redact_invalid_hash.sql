{#- A hash column's text, safe to keep outside the raw data: a valid hash
    (64 lowercase hex once trimmed), a blank and NULL stay as they are; any
    other value becomes `<redacted: N chars, not 64 lowercase hex>`, N its
    length. A phone number or e-mail delivered in a hash column is a privacy
    breach (docs/sources.md): the quarantine says what was wrong with the value
    without copying it. `cleaned`: the text is clean_text's result already
    (a staging column's text), so it is not cleaned again. -#}
{% macro redact_invalid_hash(text_expr, cleaned=false) -%}
    {%- set value = text_expr if cleaned else clean_text(text_expr) -%}
    case
        when {{ value }} is null
            or {{ is_lowercase_sha256(value) }}
            then {{ text_expr }}
        else {{ dbt.concat([
            "'<redacted: '",
            "cast(length(" ~ text_expr ~ ") as " ~ dbt.type_string() ~ ")",
            "' chars, not 64 lowercase hex>'",
        ]) }}
    end
{%- endmacro %}
