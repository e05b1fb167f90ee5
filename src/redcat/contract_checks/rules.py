"""The data contract on the shared-account join, as Python definitions.

Every rule of DESIGN.md's contract section becomes one or more expectations.
Each expectation is a query, run inside the warehouse, that returns the rows
breaking the rule (nothing when the rule holds) with the keys needed to find
them; `{batch}` is the relation the expectation is attached to. They become
Great Expectations `UnexpectedRowsExpectation`s in the suites under
`gx/expectations/` (`python -m redcat.contract_checks write-suites`).

GX replaces `{batch}` with a subquery, which it aliases itself unless the
query contains a join; a query that needs its own alias for the relation
therefore reads `from (select * from {batch}) as alias`, and one with a join
`from (select * from {batch} as batch_rows) as alias` (PostgreSQL 15 wants an
alias on every subquery in FROM). Braces that are SQL (a regex quantifier) are
doubled.

All of them are custom SQL rather than GX's column expectations: those need
GX's column reflection, which on SQLAlchemy 2.1 with duckdb_engine 0.17 fails
(the PostgreSQL dialect's reflection reads `pg_catalog.pg_collation`, which
DuckDB lacks) and falls back to a query that drops the schema. Custom SQL also
lets every rule name its own offending rows and keys, aggregate rules included.

The queries are SQL that DuckDB and PostgreSQL both run unchanged (the
contract runs against the DuckDB warehouse, or the server warehouse built with
`--target postgres`): `~` with an anchored pattern for regular expressions,
`double precision`, division over a numeric. They keep to functions with a
close equivalent elsewhere.

Thresholds are dbt vars, read from `dbt_project.yml` so that they are set in
one place: `contract_min_match_rate` and `match_min_confidence`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from redcat.warehouse import project_root

MIN_MATCH_RATE_VAR = "contract_min_match_rate"
MIN_CONFIDENCE_VAR = "match_min_confidence"

# rule key -> the rule as DESIGN.md's contract section words it
RULES: Mapping[str, str] = {
    "one_brand_per_shop_per_day": "one brand per shop per day",
    "no_overlapping_validity": "no overlapping validity",
    "linked_accounts_and_shops_exist": "every linked account and shop exists",
    "unique_best_match": "unique best match per user and platform",
    "hash_columns_are_hex64": "hash columns are 64 lowercase hex",
    "attributed_shop_linked_to_note_brand": (
        "every attributed conversion's shop is linked to the note's brand on that day"
    ),
    "touch_precedes_conversion": "touch precedes conversion",
    "credits_sum_to_one": "credits sum to 1",
    "attributed_within_total_gmv": "attributed ≤ total GMV",
    "match_rate_floor": "match-rate floor",
}

# Relations the contract reads (schema.name); the first ones are the join itself.
SHOP_LINKS = "intermediate.int_shop_links_resolved"
USER_MATCHES = "intermediate.int_user_matches_resolved"
CONVERSIONS = "intermediate.int_conversions_unified"
TOUCHES = "intermediate.int_touchpoints_joined_to_orders"
CREDITS = "intermediate.int_attribution_credits_computed"
TRI_PARTY_ACCOUNTS = "staging.stg_shared__tri_party_accounts"
STAGED_USER_MATCHES = "staging.stg_shared__user_matches"
XHS_ACCOUNTS = "staging.stg_xhs__accounts"
XHS_NOTES = "staging.stg_xhs__notes"
TB_SHOPS = "staging.stg_tb__shops"
JD_SHOPS = "staging.stg_jd__shops"

# The local-day column of each relation partitioned by day (dbt `meta: {partition:
# daily}`) and built incrementally: a partition run rewrites it from its first
# rebuilt day on and leaves the days before alone. After such a run the contract
# reads these relations from that day on (`day_scoped_relations`); the older rows
# were validated by the run that wrote them. The identity bridge, the shop links,
# the accounts and xhs's shop orders are rebuilt whole by every run and read whole.
DAY_COLUMNS: Mapping[str, str] = {
    "staging.stg_xhs__note_events": "event_date",
    "staging.stg_tb__visits": "visited_date",
    "staging.stg_tb__searches": "searched_date",
    "staging.stg_tb__orders": "paid_date",
    "staging.stg_jd__orders": "ordered_date",
    CONVERSIONS: "order_date",
    TOUCHES: "order_date",
    CREDITS: "order_date",
}


@dataclass(frozen=True)
class ContractVars:
    """The contract's thresholds (dbt vars)."""

    min_match_rate: float
    match_min_confidence: float


@dataclass(frozen=True)
class ContractExpectation:
    """One expectation: a query returning the rows of `relation` that break `rule`."""

    name: str
    relation: str
    rule: str
    description: str
    query: str
    keys: tuple[str, ...] = ()  # columns naming an offending row, where one column does
    # True when the rule is about the relation as a whole (a share of all its rows), so
    # that it cannot be checked on the rows of some days only
    whole_relation: bool = False

    @property
    def model(self) -> str:
        """The dbt model (relation name without its schema)."""
        return self.relation.split(".", 1)[1]

    @property
    def rule_text(self) -> str:
        return RULES[self.rule]

    @property
    def meta(self) -> dict[str, str]:
        return {
            "expectation": self.name,
            "relation": self.relation,
            "rule": self.rule_text,
            "rule_key": self.rule,
        }


def load_contract_vars(project_dir: Path | None = None) -> ContractVars:
    """The thresholds from `vars:` in the project's `dbt_project.yml` (no other defaults)."""
    path = (project_dir or project_root()) / "dbt_project.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    dbt_vars = config.get("vars") or {}
    missing = [name for name in (MIN_MATCH_RATE_VAR, MIN_CONFIDENCE_VAR) if name not in dbt_vars]
    if missing:
        raise KeyError(f"{path}: vars {', '.join(missing)} are not set")
    return ContractVars(
        min_match_rate=float(dbt_vars[MIN_MATCH_RATE_VAR]),
        match_min_confidence=float(dbt_vars[MIN_CONFIDENCE_VAR]),
    )


def _sql(text: str) -> str:
    """A query as stored in the suite: one line per clause, no trailing blanks."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    indent = min(len(line) - len(line.lstrip()) for line in lines if line)
    return "\n".join(line[indent:] for line in lines)


def _hex64(relation: str, key: str, column: str, *, nullable: bool = False) -> ContractExpectation:
    """`column` holds exactly 64 lowercase hex characters.

    The sample names the row and what is wrong with the value, never the value:
    a malformed hash may be a raw identifier (a phone number, an e-mail). No
    other expectation samples a hash column either.
    """
    null_clause = "" if nullable else f"{column} is null or "
    return ContractExpectation(
        name=f"{column}_is_64_lowercase_hex",
        relation=relation,
        rule="hash_columns_are_hex64",
        description=(
            f"`{column}` is exactly 64 lowercase hex characters"
            + (" when set." if nullable else ".")
        ),
        query=_sql(f"""
            select
                {key},
                case
                    when {column} is null then 'null'
                    when length({column}) <> 64
                        then 'length ' || cast(length({column}) as varchar)
                    when lower({column}) <> {column} then 'upper-case characters'
                    else 'characters other than 0-9a-f'
                end as {column}_problem
            from {{batch}}
            where {null_clause}not ({column} ~ '^[0-9a-f]{{{{64}}}}$')
            order by {key}
        """),
        keys=(key,),
    )


def _linked_shop_exists(
    label: str, platform: str, shops: str, shop_key: str
) -> ContractExpectation:
    """Every shop link of `platform` names a shop of `shops` (by its `shop_key` column)."""
    return ContractExpectation(
        name=f"linked_{label}_shop_exists",
        relation=SHOP_LINKS,
        rule="linked_accounts_and_shops_exist",
        description=f"Every linked {label} shop is a shop in {shops.split('.', 1)[1]}.",
        query=_sql(f"""
            select
                links.shop_link_id,
                links.shop_id
            from (select * from {{batch}}) as links
            where
                links.platform = '{platform}'
                and not exists (
                    select 1
                    from {shops} as shops
                    where shops.{shop_key} = links.shop_id
                )
            order by links.shop_link_id
        """),
    )


def contract_expectations(contract_vars: ContractVars | None = None) -> list[ContractExpectation]:
    """Every expectation of the contract, in report order (relation by relation)."""
    v = contract_vars or load_contract_vars()
    return [
        # -- the tri-party shop links: one brand per shop and day, links resolve
        ContractExpectation(
            name="shop_linked_to_one_brand_per_day",
            relation=SHOP_LINKS,
            rule="one_brand_per_shop_per_day",
            description=(
                "No tb or jd shop is linked to two brands on the same day: links of one "
                "shop to different brand accounts never overlap in time."
            ),
            query=_sql(f"""
                select
                    links.shop_link_id,
                    links.platform,
                    links.shop_id,
                    links.xhs_brand_account_id,
                    links.valid_from,
                    links.valid_to
                from (select * from {{batch}}) as links
                where exists (
                    select 1
                    from {SHOP_LINKS} as other_links
                    where
                        other_links.platform = links.platform
                        and other_links.shop_id = links.shop_id
                        and other_links.xhs_brand_account_id <> links.xhs_brand_account_id
                        and other_links.valid_from <= links.valid_through
                        and links.valid_from <= other_links.valid_through
                )
                order by links.shop_link_id
            """),
        ),
        _linked_shop_exists("tb", "taobao", TB_SHOPS, "shop_id"),
        _linked_shop_exists("jd", "jd", JD_SHOPS, "vender_id"),
        ContractExpectation(
            name="linked_xhs_brand_account_exists",
            relation=SHOP_LINKS,
            rule="linked_accounts_and_shops_exist",
            description="Every linked xhs account is a brand account in stg_xhs__accounts.",
            query=_sql(f"""
                select
                    links.shop_link_id,
                    links.xhs_brand_account_id
                from (select * from {{batch}}) as links
                where not exists (
                    select 1
                    from {XHS_ACCOUNTS} as accounts
                    where
                        accounts.account_id = links.xhs_brand_account_id
                        and accounts.is_brand
                )
                order by links.shop_link_id
            """),
        ),
        # -- tri-party accounts: a brand's validity periods never overlap
        ContractExpectation(
            name="brand_validity_periods_do_not_overlap",
            relation=TRI_PARTY_ACCOUNTS,
            rule="no_overlapping_validity",
            description=(
                "The validity periods of one brand account's tri-party accounts never overlap."
            ),
            query=_sql(f"""
                select
                    periods.tri_account_period_id,
                    periods.xhs_brand_account_id,
                    periods.valid_from,
                    periods.valid_to
                from (select * from {{batch}}) as periods
                where exists (
                    select 1
                    from {TRI_PARTY_ACCOUNTS} as other_periods
                    where
                        other_periods.xhs_brand_account_id = periods.xhs_brand_account_id
                        and other_periods.tri_account_period_id <> periods.tri_account_period_id
                        and other_periods.valid_from
                        <= coalesce(periods.valid_to, cast('9999-12-31' as date))
                        and periods.valid_from
                        <= coalesce(other_periods.valid_to, cast('9999-12-31' as date))
                )
                order by periods.tri_account_period_id
            """),
        ),
        # -- the identity bridge: one best match per user and platform
        ContractExpectation(
            name="one_match_per_xhs_user_and_platform",
            relation=USER_MATCHES,
            rule="unique_best_match",
            description=(
                "The bridge holds at most one match per xhs user and platform. The sample "
                "names matches by id and leaves the hashed keys out."
            ),
            query=_sql("""
                select
                    user_match_id,
                    platform,
                    matches_of_user
                from (
                    select
                        user_match_id,
                        xhs_user_key,
                        platform,
                        count(*) over (partition by xhs_user_key, platform) as matches_of_user
                    from {batch}
                ) as counted
                where matches_of_user > 1
                order by user_match_id
            """),
        ),
        ContractExpectation(
            name="one_match_per_platform_user",
            relation=USER_MATCHES,
            rule="unique_best_match",
            description=(
                "The bridge holds at most one match per tb buyer or jd user, so a "
                "conversion never joins two xhs users."
            ),
            query=_sql("""
                select
                    user_match_id,
                    platform,
                    matches_of_platform_user
                from (
                    select
                        user_match_id,
                        platform,
                        platform_user_key,
                        count(*) over (
                            partition by platform, platform_user_key
                        ) as matches_of_platform_user
                    from {batch}
                ) as counted
                where matches_of_platform_user > 1
                order by user_match_id
            """),
        ),
        ContractExpectation(
            name="match_confidence_at_least_floor",
            relation=USER_MATCHES,
            rule="unique_best_match",
            description=(
                f"Every match in the bridge has a confidence in [{v.match_min_confidence:g}, 1] "
                f"(dbt var {MIN_CONFIDENCE_VAR})."
            ),
            query=_sql(f"""
                select
                    user_match_id,
                    confidence
                from {{batch}}
                where
                    confidence is null
                    or confidence < {v.match_min_confidence!r}
                    or confidence > 1
                order by user_match_id
            """),
        ),
        _hex64(USER_MATCHES, "user_match_id", "xhs_user_key"),
        _hex64(USER_MATCHES, "user_match_id", "platform_user_key"),
        # -- hash columns where raw data enters (staging)
        _hex64("staging.stg_xhs__note_events", "event_id", "user_key"),
        _hex64("staging.stg_xhs__shop_orders", "order_id", "user_key"),
        _hex64("staging.stg_tb__visits", "visit_id", "buyer_key"),
        _hex64("staging.stg_tb__searches", "search_id", "buyer_key"),
        _hex64("staging.stg_tb__orders", "order_id", "buyer_key"),
        _hex64("staging.stg_jd__orders", "order_id", "pin_hash"),
        _hex64(STAGED_USER_MATCHES, "user_match_id", "xhs_user_key"),
        _hex64(STAGED_USER_MATCHES, "user_match_id", "platform_user_key"),
        # -- conversions: hashed keys, and enough of them followed back to xhs
        _hex64(CONVERSIONS, "conversion_id", "buyer_key"),
        _hex64(CONVERSIONS, "conversion_id", "xhs_user_key", nullable=True),
        ContractExpectation(
            name="matched_share_of_linked_conversions_at_least_floor",
            relation=CONVERSIONS,
            rule="match_rate_floor",
            description=(
                "Of the conversions in shops linked on the order's day, the share whose "
                f"buyer is matched to an xhs user is at least {v.min_match_rate:g} "
                f"(dbt var {MIN_MATCH_RATE_VAR}). One offending row: the whole relation."
            ),
            whole_relation=True,
            query=_sql(f"""
                select
                    count(*) as linked_conversions,
                    sum(case when is_buyer_matched then 1 else 0 end) as matched_conversions,
                    round(
                        cast(sum(case when is_buyer_matched then 1 else 0 end) as numeric)
                        / count(*),
                        4
                    ) as match_rate,
                    cast({v.min_match_rate!r} as double precision) as min_match_rate
                from {{batch}}
                where is_shop_linked
                having
                    count(*) > 0
                    and sum(case when is_buyer_matched then 1 else 0 end)
                    < {v.min_match_rate!r} * count(*)
            """),
        ),
        # -- touches: on the order's brand, before the order
        ContractExpectation(
            name="touch_note_brand_owns_order_shop_on_order_date",
            relation=TOUCHES,
            rule="attributed_shop_linked_to_note_brand",
            description=(
                "Every touch is on a note of the brand whose tri-party account links the "
                "order's shop on the order's local date."
            ),
            query=_sql(f"""
                select
                    touches.touch_id,
                    touches.note_id,
                    notes.brand_account_id as note_brand_account_id,
                    touches.platform,
                    touches.shop_id,
                    touches.order_date
                from (select * from {{batch}} as batch_rows) as touches
                left join {XHS_NOTES} as notes
                    on touches.note_id = notes.note_id
                where not exists (
                    select 1
                    from {SHOP_LINKS} as links
                    where
                        links.platform = touches.platform
                        and links.shop_id = touches.shop_id
                        and links.xhs_brand_account_id = notes.brand_account_id
                        and touches.order_date >= links.valid_from
                        and touches.order_date <= links.valid_through
                )
                order by touches.touch_id
            """),
        ),
        ContractExpectation(
            name="touch_precedes_order",
            relation=TOUCHES,
            rule="touch_precedes_conversion",
            description="Every touch happened strictly before its order.",
            query=_sql("""
                select
                    touch_id,
                    event_at,
                    ordered_at
                from {batch}
                where
                    event_at is null
                    or ordered_at is null
                    or event_at >= ordered_at
                order by touch_id
            """),
        ),
        _hex64(TOUCHES, "touch_id", "xhs_user_key"),
        # -- attribution credits
        ContractExpectation(
            name="credited_note_brand_owns_order_shop_on_order_date",
            relation=CREDITS,
            rule="attributed_shop_linked_to_note_brand",
            description=(
                "Every credited note belongs to the brand whose tri-party account links the "
                "order's shop on the order's local date. One offending row per order and note."
            ),
            query=_sql(f"""
                select distinct
                    credits.conversion_id,
                    credits.note_id,
                    notes.brand_account_id as note_brand_account_id,
                    conversions.shop_id,
                    conversions.order_date
                from (select * from {{batch}} as batch_rows) as credits
                left join {CONVERSIONS} as conversions
                    on credits.conversion_id = conversions.conversion_id
                left join {XHS_NOTES} as notes
                    on credits.note_id = notes.note_id
                where not exists (
                    select 1
                    from {SHOP_LINKS} as links
                    where
                        links.platform = conversions.platform
                        and links.shop_id = conversions.shop_id
                        and links.xhs_brand_account_id = notes.brand_account_id
                        and conversions.order_date >= links.valid_from
                        and conversions.order_date <= links.valid_through
                )
                order by credits.conversion_id, credits.note_id
            """),
        ),
        ContractExpectation(
            name="credited_touches_precede_order",
            relation=CREDITS,
            rule="touch_precedes_conversion",
            description="Every credited note was touched strictly before the order.",
            query=_sql("""
                select
                    attribution_credit_id,
                    first_touch_at,
                    last_touch_at,
                    ordered_at
                from {batch}
                where
                    first_touch_at is null
                    or last_touch_at is null
                    or ordered_at is null
                    or first_touch_at >= ordered_at
                    or last_touch_at >= ordered_at
                order by attribution_credit_id
            """),
        ),
        ContractExpectation(
            name="credits_sum_to_one_per_order_and_model",
            relation=CREDITS,
            rule="credits_sum_to_one",
            description=(
                "For each attributed order and model the credits add up to exactly 1. "
                "One offending row per order and model."
            ),
            query=_sql("""
                select
                    conversion_id,
                    attribution_model,
                    sum(credit) as credit_sum
                from {batch}
                group by conversion_id, attribution_model
                having sum(credit) is null or sum(credit) <> 1
                order by conversion_id, attribution_model
            """),
        ),
        ContractExpectation(
            name="credit_between_zero_and_one",
            relation=CREDITS,
            rule="credits_sum_to_one",
            description="Every credit lies in [0, 1], so no note offsets another.",
            query=_sql("""
                select
                    attribution_credit_id,
                    credit
                from {batch}
                where credit is null or credit < 0 or credit > 1
                order by attribution_credit_id
            """),
        ),
        ContractExpectation(
            name="attributed_order_credited_by_every_model",
            relation=CREDITS,
            rule="credits_sum_to_one",
            description=(
                "An attributed order has credits under every attribution model present in "
                "the whole relation (no model leaves it unattributed while another "
                "attributes it)."
            ),
            query=_sql(f"""
                select
                    conversion_id,
                    count(distinct attribution_model) as models
                from {{batch}}
                group by conversion_id
                having count(distinct attribution_model) < (
                    select count(distinct attribution_model) from {CREDITS}
                )
                order by conversion_id
            """),
        ),
        ContractExpectation(
            name="attributed_gmv_within_order_gmv",
            relation=CREDITS,
            rule="attributed_within_total_gmv",
            description=(
                "For each order and model, attributed GMV (and net GMV) adds up to no more "
                "than the conversion's GMV (and net GMV) in int_conversions_unified. One "
                "offending row per order and model."
            ),
            query=_sql(f"""
                select
                    credits.conversion_id,
                    credits.attribution_model,
                    sum(credits.attributed_gmv_cny) as attributed_gmv_cny,
                    min(conversions.gmv_cny) as gmv_cny,
                    sum(credits.attributed_net_gmv_cny) as attributed_net_gmv_cny,
                    min(conversions.net_gmv_cny) as net_gmv_cny
                from (select * from {{batch}} as batch_rows) as credits
                left join {CONVERSIONS} as conversions
                    on credits.conversion_id = conversions.conversion_id
                group by credits.conversion_id, credits.attribution_model
                having
                    min(conversions.gmv_cny) is null
                    or sum(credits.attributed_gmv_cny) > min(conversions.gmv_cny)
                    or sum(credits.attributed_net_gmv_cny) > min(conversions.net_gmv_cny)
                order by credits.conversion_id, credits.attribution_model
            """),
        ),
        ContractExpectation(
            name="attributed_gmv_not_negative",
            relation=CREDITS,
            rule="attributed_within_total_gmv",
            description=(
                "No credit row carries negative attributed GMV or net GMV, so attributed "
                "GMV stays within GMV for any slice, not only per order."
            ),
            query=_sql("""
                select
                    attribution_credit_id,
                    attributed_gmv_cny,
                    attributed_net_gmv_cny
                from {batch}
                where
                    attributed_gmv_cny is null
                    or attributed_gmv_cny < 0
                    or attributed_net_gmv_cny < 0
                order by attribution_credit_id
            """),
        ),
    ]


def day_scoped_relations(
    expectations: list[ContractExpectation] | None = None,
) -> dict[str, str]:
    """The relations a contract after a partition run reads from its first rebuilt day
    on, each with its local-day column.

    A relation qualifies when it is partitioned by day (`DAY_COLUMNS`) and every
    expectation on it holds row by row or within one day's rows (an order's
    credits share the order's date). A relation with a rule about the whole of
    it (`whole_relation`, the match-rate floor on conversions) is read whole.
    """
    listed = expectations or contract_expectations()
    whole = {expectation.relation for expectation in listed if expectation.whole_relation}
    return {
        relation: DAY_COLUMNS[relation]
        for relation in checked_relations(listed)
        if relation in DAY_COLUMNS and relation not in whole
    }


def checked_relations(expectations: list[ContractExpectation] | None = None) -> list[str]:
    """Relations (schema.name) the contract validates, in report order."""
    seen: dict[str, None] = {}
    for expectation in expectations or contract_expectations():
        seen.setdefault(expectation.relation, None)
    return list(seen)
