{#- shared/tri_party_accounts as delivered, every contract column as text: see delivered_as_text. -#}
{{ delivered_as_text('shared', 'tri_party_accounts') }}
