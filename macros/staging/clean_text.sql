{#- Delivered text, trimmed; an empty or blank field is NULL (docs/sources.md:
    empty field = NULL). -#}
{% macro clean_text(text_expr) -%}
    {{ return(adapter.dispatch('clean_text', 'redcat')(text_expr)) }}
{%- endmacro %}

{% macro default__clean_text(text_expr) -%}
    nullif(trim({{ text_expr }}), '')
{%- endmacro %}

{#- DuckDB's trim() strips the Unicode space separators (U+0020, U+00A0,
    U+3000, ...) and decodes every character to find them: about 100 ns for a
    64-character hash. Only U+0020 among them is ASCII, so an ASCII value that
    neither starts nor ends with a space is its own trim; trim() runs only on
    the others (strlen counts bytes, length characters: they differ exactly
    when the value holds a character beyond ASCII). Same result, a quarter of
    the time on the hashes and ids most columns carry. -#}
{% macro duckdb__clean_text(text_expr) -%}
    case
        when
            starts_with({{ text_expr }}, ' ')
            or ends_with({{ text_expr }}, ' ')
            or strlen({{ text_expr }}) <> length({{ text_expr }})
            then nullif(trim({{ text_expr }}), '')
        else nullif({{ text_expr }}, '')
    end
{%- endmacro %}
