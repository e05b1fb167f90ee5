with

notes as (
    select
        note_id,
        brand_account_id,
        brand_name,
        industry,
        is_ad
    from {{ ref('dim_notes') }}
),

ad_spend_days as (
    select
        note_id,
        spend_cny
    from {{ ref('stg_xhs__ad_spend_days') }}
),

credits as (
    select
        conversion_id,
        attribution_model,
        note_id,
        attributed_gmv_cny,
        attributed_net_gmv_cny
    from {{ ref('int_attribution_credits_computed') }}
),

attribution_models as (
    {{ attribution_models_relation() }}
),

note_spend as (
    select
        note_id,
        sum(spend_cny) as spend_cny
    from ad_spend_days
    group by note_id
),

note_model_gmv as (
    select
        note_id,
        attribution_model,
        count(distinct conversion_id) as attributed_orders,
        sum(attributed_gmv_cny) as attributed_gmv_cny,
        sum(attributed_net_gmv_cny) as attributed_net_gmv_cny
    from credits
    group by
        note_id,
        attribution_model
),

measured_notes as (
    select note_id from note_spend
    union
    select note_id from note_model_gmv
),

final as (
    select
        {{ dbt.concat(["measured_notes.note_id", "'|'", "attribution_models.attribution_model"]) }}
            as note_roi_id,
        measured_notes.note_id,
        attribution_models.attribution_model,
        notes.brand_account_id,
        notes.brand_name,
        notes.industry,
        cast(coalesce(note_model_gmv.attributed_orders, 0) as {{ dbt.type_bigint() }})
            as attributed_orders,
        cast(coalesce(note_spend.spend_cny, 0) as {{ type_money() }}) as spend_cny,
        cast(coalesce(note_model_gmv.attributed_gmv_cny, 0) as {{ type_money() }})
            as attributed_gmv_cny,
        cast(coalesce(note_model_gmv.attributed_net_gmv_cny, 0) as {{ type_money() }})
            as attributed_net_gmv_cny,
        {{ safe_divide('coalesce(note_model_gmv.attributed_gmv_cny, 0)', 'note_spend.spend_cny') }}
            as roas,
        coalesce(notes.is_ad, false) as is_ad
    from measured_notes
    cross join attribution_models
    left join notes
        on measured_notes.note_id = notes.note_id
    left join note_spend
        on measured_notes.note_id = note_spend.note_id
    left join note_model_gmv
        on
            measured_notes.note_id = note_model_gmv.note_id
            and attribution_models.attribution_model = note_model_gmv.attribution_model
)

select * from final
