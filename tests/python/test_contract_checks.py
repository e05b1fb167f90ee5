"""The Great Expectations contract on the shared-account join.

The warehouse is built once from the committed seeds; every test works on its
own copy, breaks one rule with targeted SQL on the built relation, and checks
which expectation fails, on which relation, with how many offending rows and
which key in the sample. Breaking keys are looked up in the data, so the tests
follow the seeds.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from bi_support import BuiltWarehouse

from redcat.contract_checks import rules
from redcat.contract_checks.project import (
    data_docs_index,
    default_gx_root,
    gx_project_drift,
    write_gx_project,
)
from redcat.contract_checks.rules import (
    DAY_COLUMNS,
    ContractExpectation,
    ContractVars,
    contract_expectations,
    day_scoped_relations,
    load_contract_vars,
)
from redcat.contract_checks.runner import ContractReport, results_by_relation, run_contract
from redcat.contract_checks.scale import copy_gx_project, replace_with_synthetic_events
from redcat.pipeline import ModelCatalog, dbt_project_paths, load_manifest
from redcat.warehouse import project_root

EXPECTATIONS = contract_expectations()
HASH_EXPECTATIONS = [e for e in EXPECTATIONS if e.rule == "hash_columns_are_hex64"]
SAMPLE_SIZE = 5

Sql = Callable[[str], list[tuple[Any, ...]]]


# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def built_warehouse(seeds_published: BuiltWarehouse) -> Path:
    """The warehouse the main job built from the committed seeds, once per session
    (conftest.py); tests work on a copy."""
    return seeds_published.db_path


@pytest.fixture
def warehouse(built_warehouse: Path, tmp_path: Path) -> Path:
    """This test's own copy of the built warehouse."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, copy)
    return copy


@pytest.fixture
def gx_root(tmp_path: Path) -> Path:
    """A copy of the committed GX project, so nothing is written into the repository."""
    return copy_gx_project(tmp_path / "gx")


@pytest.fixture
def sql(warehouse: Path) -> Sql:
    """Run one statement on the test's warehouse, in a connection closed right after
    (DuckDB lets a process hold a file read-write or read-only, not both at once)."""

    def run(statement: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(warehouse)) as con:
            result = con.execute(statement)
            return result.fetchall() if result.description else []

    return run


def validate(warehouse: Path, gx_root: Path) -> ContractReport:
    return run_contract(warehouse, gx_root=gx_root, build_data_docs=False, sample_size=SAMPLE_SIZE)


def first_row(sql: Sql, statement: str) -> tuple[Any, ...]:
    rows = sql(statement)
    assert rows, f"no row for: {statement}"
    return rows[0]


def one(sql: Sql, statement: str) -> Any:
    return first_row(sql, statement)[0]


def materialise(sql: Sql, relation: str) -> None:
    """Turn a staging view into a table with the same rows, so it can be updated."""
    sql(f"create table {relation}__copy as select * from {relation}")
    sql(f"drop view {relation}")
    sql(f"alter table {relation}__copy rename to {relation.split('.')[1]}")


def failures(report: ContractReport) -> dict[tuple[str, str], int | None]:
    return {(o.relation, o.expectation): o.unexpected_count for o in report.failures}


def outcome(report: ContractReport, relation: str, expectation: str) -> Any:
    (found,) = [
        o for o in report.results if o.relation == relation and o.expectation == expectation
    ]
    return found


def sampled(report: ContractReport, relation: str, expectation: str, column: str) -> list[Any]:
    return [row[column] for row in outcome(report, relation, expectation).sample]


# -- the suites are versioned and generated ---------------------------------------------


def test_committed_gx_project_matches_the_definitions() -> None:
    assert gx_project_drift(default_gx_root()) == []


def test_a_changed_definition_shows_as_drift(tmp_path: Path) -> None:
    root = tmp_path / "gx"
    write_gx_project(root)
    assert gx_project_drift(root) == []
    stricter = contract_expectations(ContractVars(min_match_rate=0.5, match_min_confidence=0.8))
    assert gx_project_drift(root, stricter) == [
        "differs: expectations/int_conversions_unified.json"
    ]
    (root / "expectations" / "int_shop_links_resolved.json").unlink()
    assert "missing: expectations/int_shop_links_resolved.json" in gx_project_drift(root)


def test_thresholds_come_from_dbt_project_vars() -> None:
    import yaml

    dbt_vars = yaml.safe_load((project_root() / "dbt_project.yml").read_text())["vars"]
    assert load_contract_vars() == ContractVars(
        min_match_rate=float(dbt_vars["contract_min_match_rate"]),
        match_min_confidence=float(dbt_vars["match_min_confidence"]),
    )
    floor = {e.name: e for e in EXPECTATIONS}["matched_share_of_linked_conversions_at_least_floor"]
    assert f"< {dbt_vars['contract_min_match_rate']!r} * count(*)" in floor.query


def test_every_design_rule_has_an_expectation_named_in_its_meta() -> None:
    assert {e.rule for e in EXPECTATIONS} == set(rules.RULES)
    assert all(e.meta["rule"] == rules.RULES[e.rule] for e in EXPECTATIONS)
    assert len({(e.relation, e.name) for e in EXPECTATIONS}) == len(EXPECTATIONS)


def test_the_day_columns_are_those_dbt_partitions_by() -> None:
    catalog = ModelCatalog(load_manifest(dbt_project_paths()))
    partitioned = catalog.partitioned_models()
    tests = [
        node
        for node in catalog.manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "unique_in_partition_window"
    ]
    for relation, column in DAY_COLUMNS.items():
        model = relation.split(".", 1)[1]
        assert model in partitioned, relation
        # a partition run rewrites it from its first rebuilt day on, and nothing before
        node = catalog.models[model]
        built_by = (
            [model]
            if node["config"]["materialized"] != "view"
            else [uid.split(".")[-1] for uid in node["depends_on"]["nodes"]]
        )
        assert set(built_by) <= catalog.incremental_models(), relation
        assert column in catalog.models[model]["columns"], relation
        for test in tests:
            if test["attached_node"] == catalog.models[model]["unique_id"]:
                kwargs = test["test_metadata"]["kwargs"]
                assert kwargs["partitioned_by"] == column, relation
                assert int(kwargs.get("extra_days") or 0) == 0, relation
    # conversions carry the match-rate floor, a share of the whole relation
    assert day_scoped_relations() == {
        relation: column
        for relation, column in DAY_COLUMNS.items()
        if relation != "intermediate.int_conversions_unified"
    }


def test_docs_name_every_expectation_and_relation() -> None:
    text = (project_root() / "docs" / "contract.md").read_text(encoding="utf-8")
    for expectation in EXPECTATIONS:
        assert f"`{expectation.name}`" in text or f"`{expectation.name}`," in text
        assert f"`{expectation.relation}`" in text


def test_the_override_fetches_a_bounded_number_of_rows(tmp_path: Path) -> None:
    import sqlalchemy as sa
    from great_expectations.execution_engine import SqlAlchemyExecutionEngine

    from redcat.contract_checks._gx import TruncatedResultError, fetch_meter

    db_path = tmp_path / "numbers.duckdb"
    with duckdb.connect(str(db_path)) as con:
        con.execute("create table numbers as select range as n from range(1000000)")
    engine = SqlAlchemyExecutionEngine(connection_string=f"duckdb:///{db_path}")
    try:
        with fetch_meter(3) as meter:
            many = engine.execute_query(sa.text("select n from numbers order by n"))
            count = engine.execute_query(sa.text("select count(*) from numbers")).scalar()
        assert [row[0] for row in many.fetchmany(200)] == [0, 1, 2]
        with pytest.raises(TruncatedResultError):
            engine.execute_query(sa.text("select n from numbers")).fetchall()
    finally:
        engine.engine.dispose()
    assert count == 1_000_000
    # three rows and the look-ahead row, then the count: 5 rows of a million reached Python
    assert (meter.queries, meter.rows) == (2, 5)


# -- good data passes, computed in the warehouse ----------------------------------------


@pytest.mark.slow
def test_contract_passes_on_the_seeds_and_writes_data_docs(warehouse: Path, gx_root: Path) -> None:
    report = run_contract(warehouse, gx_root=gx_root, sample_size=SAMPLE_SIZE)

    assert report.success, report.format()
    assert [(o.relation, o.expectation) for o in report.results] == [
        (e.relation, e.name) for e in EXPECTATIONS
    ]
    assert all(o.unexpected_count == 0 and o.sample == [] for o in report.results)
    # one count row per expectation, nothing else
    assert (report.queries, report.rows_fetched) == (2 * len(EXPECTATIONS), len(EXPECTATIONS))
    assert report.data_docs_path == data_docs_index(gx_root)
    assert report.data_docs_path.is_file()
    assert "PASSED — 31 of 31 expectations passed on 13 relations" in report.format()

    by_model = results_by_relation(report)
    assert list(by_model) == list(dict.fromkeys(e.model for e in EXPECTATIONS))
    assert [o.expectation for o in by_model["int_user_matches_resolved"]] == [
        "one_match_per_xhs_user_and_platform",
        "one_match_per_platform_user",
        "match_confidence_at_least_floor",
        "xhs_user_key_is_64_lowercase_hex",
        "platform_user_key_is_64_lowercase_hex",
    ]


@pytest.mark.slow
def test_a_million_row_relation_is_validated_inside_the_warehouse(
    warehouse: Path, gx_root: Path
) -> None:
    replace_with_synthetic_events(warehouse, 1_000_000, malformed_rows=1_000)

    report = run_contract(
        warehouse, gx_root=gx_root, build_data_docs=False, sample_size=SAMPLE_SIZE
    )

    relation = "staging.stg_xhs__note_events"
    assert failures(report) == {(relation, "user_key_is_64_lowercase_hex"): 1_000}
    assert sampled(report, relation, "user_key_is_64_lowercase_hex", "event_id") == [
        "se_0",
        "se_1",
        "se_10",
        "se_100",
        "se_101",
    ]
    # Exactly: one count row per expectation, plus the sample and one look-ahead row
    # for the failing one. A million rows were checked; 37 reached Python.
    assert report.queries == 2 * len(EXPECTATIONS)
    assert report.rows_fetched == len(EXPECTATIONS) + SAMPLE_SIZE + 1


# -- each rule, broken -------------------------------------------------------------------

LINKS = rules.SHOP_LINKS
MATCHES = rules.USER_MATCHES
CONVERSIONS = rules.CONVERSIONS
TOUCHES = rules.TOUCHES
CREDITS = rules.CREDITS


@pytest.mark.slow
def test_a_shop_linked_to_two_brands_on_one_day(warehouse: Path, gx_root: Path, sql: Sql) -> None:
    link_id, brand = first_row(
        sql, f"select shop_link_id, xhs_brand_account_id from {LINKS} order by 1"
    )
    other_brand = one(
        sql,
        f"select account_id from {rules.XHS_ACCOUNTS} "
        f"where is_brand and account_id <> '{brand}' order by 1",
    )
    sql(
        f"insert into {LINKS} select * replace ('intruder' as shop_link_id, "
        f"'{other_brand}' as xhs_brand_account_id) from {LINKS} where shop_link_id = '{link_id}'"
    )
    report = validate(warehouse, gx_root)

    assert failures(report) == {(LINKS, "shop_linked_to_one_brand_per_day"): 2}
    assert sorted(sampled(report, LINKS, "shop_linked_to_one_brand_per_day", "shop_link_id")) == [
        "intruder",
        link_id,
    ]


@pytest.mark.slow
def test_overlapping_validity_periods_of_a_brand(warehouse: Path, gx_root: Path, sql: Sql) -> None:
    relation = rules.TRI_PARTY_ACCOUNTS
    materialise(sql, relation)
    period_id = one(sql, f"select tri_account_period_id from {relation} order by 1")
    sql(
        f"insert into {relation} select * replace ('copy|{period_id}' as tri_account_period_id) "
        f"from {relation} where tri_account_period_id = '{period_id}'"
    )
    report = validate(warehouse, gx_root)

    name = "brand_validity_periods_do_not_overlap"
    assert failures(report) == {(relation, name): 2}
    assert sorted(sampled(report, relation, name, "tri_account_period_id")) == [
        f"copy|{period_id}",
        period_id,
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("platform", "expectation"),
    [("taobao", "linked_tb_shop_exists"), ("jd", "linked_jd_shop_exists")],
)
def test_a_link_to_a_shop_that_does_not_exist(
    warehouse: Path, gx_root: Path, sql: Sql, platform: str, expectation: str
) -> None:
    link_id = one(sql, f"select shop_link_id from {LINKS} where platform = '{platform}' order by 1")
    sql(
        f"insert into {LINKS} select * replace ('ghost' as shop_link_id, 'no_such_shop' as shop_id)"
        f" from {LINKS} where shop_link_id = '{link_id}'"
    )
    report = validate(warehouse, gx_root)

    assert failures(report) == {(LINKS, expectation): 1}
    assert sampled(report, LINKS, expectation, "shop_link_id") == ["ghost"]
    assert sampled(report, LINKS, expectation, "shop_id") == ["no_such_shop"]


@pytest.mark.slow
def test_a_link_to_an_account_that_is_not_a_brand(warehouse: Path, gx_root: Path, sql: Sql) -> None:
    brand = one(sql, f"select xhs_brand_account_id from {LINKS} order by shop_link_id")
    links = [
        row[0]
        for row in sql(
            f"select shop_link_id from {LINKS} where xhs_brand_account_id = '{brand}' order by 1"
        )
    ]
    materialise(sql, rules.XHS_ACCOUNTS)
    sql(
        f"update {rules.XHS_ACCOUNTS} set is_brand = false, account_type = 'creator' "
        f"where account_id = '{brand}'"
    )
    report = validate(warehouse, gx_root)

    name = "linked_xhs_brand_account_exists"
    assert failures(report) == {(LINKS, name): len(links)}
    assert sampled(report, LINKS, name, "shop_link_id") == links[:SAMPLE_SIZE]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("changed_column", "expectation"),
    [
        ("platform_user_key", "one_match_per_xhs_user_and_platform"),
        ("xhs_user_key", "one_match_per_platform_user"),
    ],
)
def test_a_second_match_for_one_user(
    warehouse: Path, gx_root: Path, sql: Sql, changed_column: str, expectation: str
) -> None:
    match_id = one(sql, f"select user_match_id from {MATCHES} order by 1")
    sql(
        f"insert into {MATCHES} select * replace ('second' as user_match_id, "
        f"sha256('someone else') as {changed_column}) "
        f"from {MATCHES} where user_match_id = '{match_id}'"
    )
    report = validate(warehouse, gx_root)

    assert failures(report) == {(MATCHES, expectation): 2}
    assert sorted(sampled(report, MATCHES, expectation, "user_match_id")) == sorted(
        ["second", match_id]
    )


@pytest.mark.slow
def test_a_match_below_the_confidence_floor(warehouse: Path, gx_root: Path, sql: Sql) -> None:
    match_id = one(sql, f"select user_match_id from {MATCHES} order by 1")
    floor = load_contract_vars().match_min_confidence
    sql(f"update {MATCHES} set confidence = {floor - 0.01} where user_match_id = '{match_id}'")
    report = validate(warehouse, gx_root)

    name = "match_confidence_at_least_floor"
    assert failures(report) == {(MATCHES, name): 1}
    assert outcome(report, MATCHES, name).sample == [
        {"user_match_id": match_id, "confidence": pytest.approx(floor - 0.01)}
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    "expectation", HASH_EXPECTATIONS, ids=[f"{e.model}.{e.name}" for e in HASH_EXPECTATIONS]
)
def test_a_hash_that_is_not_64_lowercase_hex(
    warehouse: Path, gx_root: Path, sql: Sql, expectation: ContractExpectation
) -> None:
    (key,) = expectation.keys
    column = expectation.name.removesuffix("_is_64_lowercase_hex")
    relation = expectation.relation
    if relation.startswith("staging."):
        materialise(sql, relation)
    key_value = one(sql, f"select {key} from {relation} where {column} is not null order by {key}")
    leaked = "+86 138 0013 8000"
    sql(f"update {relation} set {column} = '{leaked}' where {key} = '{key_value}'")
    report = validate(warehouse, gx_root)

    assert failures(report) == {(relation, expectation.name): 1}
    assert outcome(report, relation, expectation.name).sample == [
        {key: key_value, f"{column}_problem": f"length {len(leaked)}"}
    ]
    assert leaked not in report.format()  # the report never repeats a leaked identifier


@pytest.mark.slow
def test_a_touch_on_a_note_of_another_brand(warehouse: Path, gx_root: Path, sql: Sql) -> None:
    touch_id, brand = first_row(sql, f"select touch_id, brand_account_id from {TOUCHES} order by 1")
    other_note = one(
        sql,
        f"select note_id from {rules.XHS_NOTES} where brand_account_id <> '{brand}' order by 1",
    )
    sql(f"update {TOUCHES} set note_id = '{other_note}' where touch_id = '{touch_id}'")
    report = validate(warehouse, gx_root)

    name = "touch_note_brand_owns_order_shop_on_order_date"
    assert failures(report) == {(TOUCHES, name): 1}
    assert sampled(report, TOUCHES, name, "touch_id") == [touch_id]
    assert sampled(report, TOUCHES, name, "note_id") == [other_note]


@pytest.mark.slow
def test_credits_on_a_note_of_another_brand(warehouse: Path, gx_root: Path, sql: Sql) -> None:
    conversion_id, brand = first_row(
        sql,
        f"select conversion_id, brand_account_id from {CREDITS} order by 1",
    )
    other_note = one(
        sql,
        f"select note_id from {rules.XHS_NOTES} where brand_account_id <> '{brand}' order by 1",
    )
    sql(f"update {CREDITS} set note_id = '{other_note}' where conversion_id = '{conversion_id}'")
    report = validate(warehouse, gx_root)

    name = "credited_note_brand_owns_order_shop_on_order_date"
    assert failures(report) == {(CREDITS, name): 1}
    (row,) = outcome(report, CREDITS, name).sample
    assert (row["conversion_id"], row["note_id"]) == (conversion_id, other_note)


@pytest.mark.slow
def test_a_touch_at_or_after_its_order(warehouse: Path, gx_root: Path, sql: Sql) -> None:
    touch_id = one(sql, f"select touch_id from {TOUCHES} order by 1")
    sql(f"update {TOUCHES} set event_at = ordered_at where touch_id = '{touch_id}'")
    report = validate(warehouse, gx_root)

    assert failures(report) == {(TOUCHES, "touch_precedes_order"): 1}
    assert sampled(report, TOUCHES, "touch_precedes_order", "touch_id") == [touch_id]


@pytest.mark.slow
def test_a_credited_touch_after_its_order(warehouse: Path, gx_root: Path, sql: Sql) -> None:
    credit_id = one(sql, f"select attribution_credit_id from {CREDITS} order by 1")
    sql(
        f"update {CREDITS} set last_touch_at = ordered_at + interval 1 minute "
        f"where attribution_credit_id = '{credit_id}'"
    )
    report = validate(warehouse, gx_root)

    name = "credited_touches_precede_order"
    assert failures(report) == {(CREDITS, name): 1}
    assert sampled(report, CREDITS, name, "attribution_credit_id") == [credit_id]


@pytest.mark.slow
def test_credits_that_do_not_sum_to_one(warehouse: Path, gx_root: Path, sql: Sql) -> None:
    conversion_id, model = first_row(
        sql,
        f"select conversion_id, attribution_model from {CREDITS} order by 1, 2",
    )
    sql(
        f"update {CREDITS} set credit = credit / 2 "
        f"where conversion_id = '{conversion_id}' and attribution_model = '{model}'"
    )
    report = validate(warehouse, gx_root)

    name = "credits_sum_to_one_per_order_and_model"
    assert failures(report) == {(CREDITS, name): 1}
    (row,) = outcome(report, CREDITS, name).sample
    assert (row["conversion_id"], row["attribution_model"], row["credit_sum"]) == (
        conversion_id,
        model,
        "0.500000000000",
    )


@pytest.mark.slow
def test_credits_outside_zero_and_one_that_still_sum_to_one(
    warehouse: Path, gx_root: Path, sql: Sql
) -> None:
    credit_id = one(sql, f"select attribution_credit_id from {CREDITS} order by 1")
    sql(
        f"insert into {CREDITS} select * replace ('offset' as attribution_credit_id, "
        f"-1 as credit, 0 as attributed_gmv_cny, 0 as attributed_net_gmv_cny) "
        f"from {CREDITS} where attribution_credit_id = '{credit_id}'"
    )
    sql(f"update {CREDITS} set credit = credit + 1 where attribution_credit_id = '{credit_id}'")
    report = validate(warehouse, gx_root)

    name = "credit_between_zero_and_one"
    assert failures(report) == {(CREDITS, name): 2}
    assert sampled(report, CREDITS, name, "attribution_credit_id") == sorted([credit_id, "offset"])


@pytest.mark.slow
def test_an_order_missing_one_model(warehouse: Path, gx_root: Path, sql: Sql) -> None:
    conversion_id, model = first_row(
        sql,
        f"select conversion_id, attribution_model from {CREDITS} order by 1, 2",
    )
    sql(
        f"delete from {CREDITS} "
        f"where conversion_id = '{conversion_id}' and attribution_model = '{model}'"
    )
    report = validate(warehouse, gx_root)

    name = "attributed_order_credited_by_every_model"
    models = one(sql, f"select count(distinct attribution_model) from {CREDITS}")
    assert failures(report) == {(CREDITS, name): 1}
    assert outcome(report, CREDITS, name).sample == [
        {"conversion_id": conversion_id, "models": models - 1}
    ]


@pytest.mark.slow
def test_attributed_gmv_above_the_order_gmv(warehouse: Path, gx_root: Path, sql: Sql) -> None:
    credit_id, conversion_id, model = first_row(
        sql,
        f"select attribution_credit_id, conversion_id, attribution_model from {CREDITS} order by 1",
    )
    sql(
        f"update {CREDITS} set attributed_gmv_cny = attributed_gmv_cny + 0.01 "
        f"where attribution_credit_id = '{credit_id}'"
    )
    report = validate(warehouse, gx_root)

    name = "attributed_gmv_within_order_gmv"
    assert failures(report) == {(CREDITS, name): 1}
    (row,) = outcome(report, CREDITS, name).sample
    assert (row["conversion_id"], row["attribution_model"]) == (conversion_id, model)


@pytest.mark.slow
def test_negative_attributed_gmv(warehouse: Path, gx_root: Path, sql: Sql) -> None:
    credit_id = one(sql, f"select attribution_credit_id from {CREDITS} order by 1")
    sql(
        f"insert into {CREDITS} select * replace ('refund' as attribution_credit_id, "
        f"0 as credit, -1 as attributed_gmv_cny, 0 as attributed_net_gmv_cny) "
        f"from {CREDITS} where attribution_credit_id = '{credit_id}'"
    )
    report = validate(warehouse, gx_root)

    name = "attributed_gmv_not_negative"
    assert failures(report) == {(CREDITS, name): 1}
    assert sampled(report, CREDITS, name, "attribution_credit_id") == ["refund"]


@pytest.mark.slow
def test_a_match_rate_below_the_floor(warehouse: Path, gx_root: Path, sql: Sql) -> None:
    linked = one(sql, f"select count(*) from {CONVERSIONS} where is_shop_linked")
    assert linked > 0
    sql(f"update {CONVERSIONS} set is_buyer_matched = false, is_eligible = false")
    report = validate(warehouse, gx_root)

    name = "matched_share_of_linked_conversions_at_least_floor"
    assert failures(report) == {(CONVERSIONS, name): 1}
    assert outcome(report, CONVERSIONS, name).sample == [
        {
            "linked_conversions": linked,
            "matched_conversions": 0,
            "match_rate": 0.0,
            "min_match_rate": load_contract_vars().min_match_rate,
        }
    ]


# -- after a partition run ---------------------------------------------------------------


@pytest.mark.slow
def test_after_a_partition_run_the_days_before_it_are_not_read_again(
    warehouse: Path, gx_root: Path, sql: Sql
) -> None:
    relation, column, key = "staging.stg_xhs__note_events", "event_date", "event_id"
    materialise(sql, relation)
    first_day, last_day = first_row(sql, f"select min({column}), max({column}) from {relation}")
    old = one(sql, f"select min({key}) from {relation} where {column} = '{first_day}'")
    new = one(sql, f"select min({key}) from {relation} where {column} = '{last_day}'")
    match = one(sql, f"select min(user_match_id) from {rules.USER_MATCHES}")
    sql(f"update {relation} set user_key = upper(user_key) where {key} in ('{old}', '{new}')")
    sql(
        f"update {rules.USER_MATCHES} set xhs_user_key = upper(xhs_user_key) "
        f"where user_match_id = '{match}'"
    )
    name = "user_key_is_64_lowercase_hex"
    bridge = (rules.USER_MATCHES, "xhs_user_key_is_64_lowercase_hex")

    whole = validate(warehouse, gx_root)
    assert failures(whole) == {(relation, name): 2, bridge: 1}
    assert whole.rebuilt_from is None and "  rows:      from" not in whole.format()

    scoped = run_contract(
        warehouse,
        gx_root=gx_root,
        build_data_docs=False,
        sample_size=SAMPLE_SIZE,
        rebuilt_from=last_day - timedelta(days=1),
    )
    # the row of the first day was validated by the run that wrote it; the identity
    # bridge, rebuilt whole by every run, is read whole
    assert failures(scoped) == {(relation, name): 1, bridge: 1}
    assert sampled(scoped, relation, name, key) == [new]
    assert sorted(scoped.day_scoped) == sorted(day_scoped_relations())
    assert len(scoped.results) == len(whole.results)
    assert (
        f"rows:      from {last_day - timedelta(days=1)} on (the partition run's first "
        "rebuilt day) in 7 relations partitioned by day; every row of the others"
    ) in scoped.format()
    # in memory only: the versioned project still reads every row
    assert gx_project_drift(gx_root) == []


# -- reporting ---------------------------------------------------------------------------


@pytest.mark.slow
def test_the_report_names_expectation_relation_count_and_sample(
    warehouse: Path, gx_root: Path, sql: Sql
) -> None:
    rows = sql(f"select touch_id from {TOUCHES} order by 1")
    sql(f"update {TOUCHES} set event_at = ordered_at + interval 1 hour")
    report = validate(warehouse, gx_root)

    text = report.format()
    assert not report.success
    assert text.startswith(
        f"Data contract on the shared-account join: FAILED — {len(EXPECTATIONS) - 1} of "
        f"{len(EXPECTATIONS)} expectations passed on 13 relations"
    )
    assert "FAILED touch_precedes_order\n" in text
    assert f"  relation: {TOUCHES}\n" in text
    assert "  rule:     touch precedes conversion\n" in text
    assert f"  offending rows: {len(rows)}\n" in text
    shown = min(len(rows), SAMPLE_SIZE)
    assert f"  sample ({shown} of {len(rows)}):\n" in text
    assert f"    touch_id={rows[0][0]}, event_at=" in text


@pytest.mark.slow
def test_a_missing_relation_is_reported_not_raised(
    warehouse: Path, gx_root: Path, sql: Sql
) -> None:
    sql(f"drop table {CREDITS}")
    report = validate(warehouse, gx_root)

    broken = [o for o in report.results if o.relation == CREDITS]
    assert len(broken) == sum(e.relation == CREDITS for e in EXPECTATIONS)
    assert all(o.error and "does not exist" in o.error for o in broken)
    assert all(o.unexpected_count is None and not o.success for o in broken)
    assert report.failures == broken
    assert "the check could not run" in report.format()


@pytest.mark.slow
def test_the_command_exits_non_zero_and_prints_the_report(
    warehouse: Path, gx_root: Path, sql: Sql, capsys: pytest.CaptureFixture[str]
) -> None:
    from redcat.contract_checks.__main__ import main

    args = ["validate", "--db", str(warehouse), "--gx-root", str(gx_root), "--no-data-docs"]
    assert main(args) == 0
    assert "PASSED" in capsys.readouterr().out

    touch_id = one(sql, f"select touch_id from {TOUCHES} order by 1")
    sql(f"update {TOUCHES} set event_at = ordered_at where touch_id = '{touch_id}'")
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "FAILED touch_precedes_order" in out
    assert f"touch_id={touch_id}" in out
