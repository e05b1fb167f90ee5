{#- Note credits shared out to the campaigns that boosted the note during the
    order's click window (spend dates from var('click_lookback_days') days
    before the order's local date to that date), in proportion to each
    campaign's spend on the note in that window. Credits of notes no campaign
    boosted in the window stay organic and are not listed. Money is split in
    whole fen with integer arithmetic (macro floor_share): every campaign but
    the one that spent most gets floor(credit fen × its spend ÷ all spend),
    that one gets the rest, so the campaigns of a credit add up to exactly its
    attributed GMV. -#}
with

credits as (
    select
        attribution_credit_id,
        conversion_id,
        platform,
        order_id,
        attribution_model,
        note_id,
        credit,
        attributed_gmv_cny,
        attributed_net_gmv_cny,
        order_date
    from {{ ref('int_attribution_credits_computed') }}
),

ad_spend_days as (
    select
        campaign_id,
        note_id,
        spend_cny,
        spend_date
    from {{ ref('stg_xhs__ad_spend_days') }}
    where spend_cny > 0
),

window_spend as (
    select
        credits.attribution_credit_id,
        ad_spend_days.campaign_id,
        sum(ad_spend_days.spend_cny) as window_spend_cny
    from credits
    inner join ad_spend_days
        on
            credits.note_id = ad_spend_days.note_id
            and credits.order_date >= ad_spend_days.spend_date
            and {{ dbt.dateadd(
                'day', -1 * var('click_lookback_days'), 'credits.order_date'
            ) }} <= ad_spend_days.spend_date
    group by
        credits.attribution_credit_id,
        ad_spend_days.campaign_id
),

spend_shares as (
    select
        attribution_credit_id,
        campaign_id,
        window_spend_cny,
        {{ money_to_fen('window_spend_cny') }} as window_spend_fen,
        sum({{ money_to_fen('window_spend_cny') }}) over (
            partition by attribution_credit_id
        ) as credit_spend_fen,
        cast(window_spend_cny as {{ type_ratio() }}) / sum(window_spend_cny) over (
            partition by attribution_credit_id
        ) as spend_share,
        row_number() over (
            partition by attribution_credit_id
            order by window_spend_cny desc, campaign_id asc
        ) as spend_rank
    from window_spend
),

allocated as (
    select
        credits.*,
        spend_shares.campaign_id,
        spend_shares.window_spend_cny,
        spend_shares.spend_share,
        spend_shares.spend_rank,
        {{ money_to_fen('credits.attributed_gmv_cny') }} as credit_gmv_fen,
        {{ money_to_fen('credits.attributed_net_gmv_cny') }} as credit_net_gmv_fen,
        case
            when spend_shares.spend_rank > 1
                then {{ floor_share(
                    money_to_fen('credits.attributed_gmv_cny'),
                    'spend_shares.window_spend_fen',
                    'spend_shares.credit_spend_fen',
                ) }}
        end as other_campaign_gmv_fen,
        case
            when spend_shares.spend_rank > 1
                then {{ floor_share(
                    money_to_fen('credits.attributed_net_gmv_cny'),
                    'spend_shares.window_spend_fen',
                    'spend_shares.credit_spend_fen',
                ) }}
        end as other_campaign_net_gmv_fen
    from credits
    inner join spend_shares
        on credits.attribution_credit_id = spend_shares.attribution_credit_id
),

remainders as (
    select
        *,
        coalesce(sum(other_campaign_gmv_fen) over (
            partition by attribution_credit_id
        ), 0) as other_campaigns_gmv_fen,
        coalesce(sum(other_campaign_net_gmv_fen) over (
            partition by attribution_credit_id
        ), 0) as other_campaigns_net_gmv_fen
    from allocated
),

exact_money as (
    select
        *,
        case
            when spend_rank = 1
                then {{ fen_to_money('credit_gmv_fen - other_campaigns_gmv_fen') }}
            else {{ fen_to_money('other_campaign_gmv_fen') }}
        end as campaign_gmv_cny,
        case
            when spend_rank = 1
                then {{ fen_to_money('credit_net_gmv_fen - other_campaigns_net_gmv_fen') }}
            else {{ fen_to_money('other_campaign_net_gmv_fen') }}
        end as campaign_net_gmv_cny
    from remainders
),

final as (
    select
        {{ dbt.concat(["attribution_credit_id", "'|'", "campaign_id"]) }}
            as campaign_credit_id,
        attribution_credit_id,
        conversion_id,
        campaign_id,
        platform,
        order_id,
        attribution_model,
        note_id,
        spend_share,
        credit * spend_share as campaign_credit,
        campaign_gmv_cny as attributed_gmv_cny,
        campaign_net_gmv_cny as attributed_net_gmv_cny,
        order_date
    from exact_money
)

select * from final
