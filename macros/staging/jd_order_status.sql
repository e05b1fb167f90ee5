{#- JD's integer orderState (1 paid, 2 shipped, 3 completed, 4 refunded,
    5 cancelled) to the shared order status; NULL for any other value. -#}
{% macro jd_order_status(order_state_expr) -%}
    case {{ order_state_expr }}
        {%- for status in contract_values('jd_order_states') %}
        when {{ loop.index }} then '{{ status }}'
        {%- endfor %}
    end
{%- endmacro %}
