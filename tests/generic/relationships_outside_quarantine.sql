{#- The `relationships` test for a key whose parent row staging may have
    quarantined while its children are kept on purpose (a rejected note's
    events still count, as a note of no brand: docs/faults.md). Every value
    of `column_name` must be in `to`.`field`, except the keys that
    stg_quarantine__rejected_rows holds for `quarantined_table`. -#}
{% test relationships_outside_quarantine(model, column_name, to, field, quarantined_table) %}

with

quarantined as (
    select row_key
    from {{ ref('stg_quarantine__rejected_rows') }}
    where source_table = '{{ quarantined_table }}'
),

child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where
        {{ column_name }} is not null
        and {{ column_name }} not in (select quarantined.row_key from quarantined)
),

parent as (
    select {{ field }} as to_field
    from {{ to }}
),

final as (
    select child.from_field
    from child
    left join parent
        on child.from_field = parent.to_field
    where parent.to_field is null
)

select * from final

{% endtest %}
