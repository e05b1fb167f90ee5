{#- tb/items as delivered, every contract column as text: see delivered_as_text. -#}
{{ delivered_as_text('tb', 'items') }}
