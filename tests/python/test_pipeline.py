"""The pipeline's steps outside Dagster: the publish gates, what dbt declares, the vars."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from redcat.contract_checks import gx_project_drift
from redcat.pipeline import (
    ModelCatalog,
    PipelineVars,
    PublicationRecord,
    TableVolume,
    check_publish_gates,
    contract_gx_root,
    dbt_environment,
    dbt_project_paths,
    load_manifest,
    manifest_is_current,
    read_publication_record,
    table_key,
    volume_baseline,
)
from redcat.pipeline.project import DbtProjectPaths, project_fingerprint, vars_digest
from redcat.pipeline.publication import RECORD_FILE, _write_record

LIMITS = PipelineVars(
    business_time_zone="Asia/Shanghai",
    partitions_first_day=date(2024, 1, 1),
    partitions_last_day=date(2025, 6, 30),
    publish_max_quarantine_share=0.1,
    publish_max_row_drop_share=0.5,
    contract_min_match_rate=0.05,
    match_min_confidence=0.8,
    partition_lookback_days=7,
)
BASELINE = PublicationRecord(
    published_at="2025-07-01T02:00:00+00:00",
    raw_source="load",
    raw_rows={"tb__orders": 1_000, "jd__orders": 400, "xhs__notes": 300},
)


def volumes(previous: PublicationRecord | None = BASELINE) -> list[TableVolume]:
    rows = previous.raw_rows if previous else {}
    return [
        # a money column whose type changed: every row quarantined
        TableVolume("tb__orders", 1_000, 0, 1_000, rows.get("tb__orders")),
        # fell from 400 to 150 rows
        TableVolume("jd__orders", 150, 149, 1, rows.get("jd__orders")),
        # arrived empty
        TableVolume("xhs__notes", 0, 0, 0, rows.get("xhs__notes")),
        # 10 % quarantined exactly: at the limit, not over it
        TableVolume("tb__shops", 30, 27, 3, None),
    ]


def test_each_gate_names_table_rule_counts_and_share() -> None:
    report = check_publish_gates(volumes(), LIMITS, baseline=BASELINE)

    assert not report.success
    assert [(f.table, f.rule) for f in report.failures] == [
        ("tb/orders", "quarantine_share_over_limit"),
        ("jd/orders", "row_count_fell"),
        ("xhs/notes", "table_arrived_empty"),
    ]
    assert [f.message for f in report.failures] == [
        "table tb/orders: quarantine_share_over_limit: 1,000 of 1,000 rows quarantined "
        "(100.0%), more than 10.0% (publish_max_quarantine_share); "
        "see staging.stg_quarantine__rejected_rows",
        "table jd/orders: row_count_fell: 150 rows against 400 at the last publication "
        "(62.5% fewer), more than 50% (publish_max_row_drop_share); "
        "if that is real: redcat run --accept-volume-change jd/orders",
        "table xhs/notes: table_arrived_empty: 0 rows delivered; "
        "if that is real: redcat run --accept-volume-change xhs/notes",
    ]
    assert report.format().splitlines()[:2] == [
        "Publish gates on 4 raw tables: FAILED on 3 check(s)",
        "  limits: quarantine share 10.0% (publish_max_quarantine_share), row drop 50% "
        "(publish_max_row_drop_share); volume baseline: the publication of "
        "2025-07-01T02:00:00+00:00",
    ]


def test_an_accepted_volume_change_passes_the_volume_rules_only() -> None:
    report = check_publish_gates(
        volumes(), LIMITS, baseline=BASELINE, accept=["jd__orders", "xhs/notes", "tb/orders"]
    )

    assert report.accepted == ("jd/orders", "tb/orders", "xhs/notes")
    assert [(f.table, f.rule) for f in report.failures] == [
        ("tb/orders", "quarantine_share_over_limit")
    ]
    assert report.format().splitlines()[-1] == (
        "  volume change accepted for: jd/orders, tb/orders, xhs/notes"
    )


def test_all_accepts_every_volume_change() -> None:
    report = check_publish_gates(volumes(), LIMITS, baseline=BASELINE, accept=["all"])

    assert [(f.table, f.rule) for f in report.failures] == [
        ("tb/orders", "quarantine_share_over_limit")
    ]


def test_without_a_baseline_only_quarantine_and_emptiness_count() -> None:
    report = check_publish_gates(volumes(None), LIMITS, baseline=None)

    assert [(f.table, f.rule) for f in report.failures] == [
        ("tb/orders", "quarantine_share_over_limit"),
        ("xhs/notes", "table_arrived_empty"),
    ]
    assert "volume baseline: none (no earlier publication from loaded data)" in report.format()


def test_the_volume_baseline_is_a_publication_from_loaded_data() -> None:
    seeds = PublicationRecord("2025-07-01T02:00:00+00:00", "sample", {"tb__orders": 2_536})

    assert volume_baseline(BASELINE, loaded=True) == BASELINE
    assert volume_baseline(BASELINE, loaded=False) is None  # this run reads the seeds
    assert volume_baseline(seeds, loaded=True) is None  # the seeds are no feed
    assert volume_baseline(None, loaded=True) is None


def test_tables_are_named_as_the_raw_contract_names_them() -> None:
    assert table_key("tb/orders") == table_key("tb__orders") == "tb/orders"
    with pytest.raises(ValueError) as caught:
        table_key("tb/order")
    assert str(caught.value).startswith("no raw table 'tb/order'; the tables are xhs/accounts, ")
    assert str(caught.value).endswith(", shared/user_matches (or all)")
    assert table_key("all") == "all"


def test_the_publication_record_round_trips(tmp_path: Path) -> None:
    db_path = tmp_path / "warehouse" / "redcat.duckdb"
    assert read_publication_record(db_path) is None
    published = tmp_path / "warehouse" / "published"
    published.mkdir(parents=True)
    _write_record(published / RECORD_FILE, BASELINE)

    assert read_publication_record(db_path) == BASELINE
    assert sorted(p.name for p in published.iterdir()) == [RECORD_FILE]
    (published / RECORD_FILE).write_text("{ not json")
    assert read_publication_record(db_path) is None


@pytest.mark.slow
def test_dbt_declares_the_models_and_the_vars() -> None:
    catalog = ModelCatalog(load_manifest(dbt_project_paths()))

    assert catalog.pipeline_vars() == LIMITS
    assert catalog.gate_model()["name"] == "stg_quarantine__row_counts"
    assert catalog.relation("stg_quarantine__row_counts") == (
        "staging",
        "stg_quarantine__row_counts",
    )
    assert catalog.incremental_models() == {
        "base_xhs__note_events_checked",
        "base_tb__visits_checked",
        "base_tb__searches_checked",
        "base_tb__orders_checked",
        "base_jd__orders_checked",
        "int_touchpoints_classified",
        "int_conversions_unified",
        "int_touchpoints_joined_to_orders",
        "int_attribution_credits_computed",
        "int_note_days_aggregated",
        "int_brand_exposures_tracked",
        "int_industry_periods_measured",
        "fct_note_daily",
        "fct_conversions",
        "fct_attributed_orders",
    }
    marts = {name for name in catalog.models if catalog.layer(name) == "marts"}
    assert marts and catalog.bi_facing_models() == marts
    assert catalog.day_columns() == {
        "stg_xhs__note_events": "event_date",
        "stg_tb__visits": "visited_date",
        "stg_tb__searches": "searched_date",
        "stg_tb__orders": "paid_date",
        "stg_jd__orders": "ordered_date",
        "int_touchpoints_classified": "event_date",
        "int_conversions_unified": "order_date",
        "int_touchpoints_joined_to_orders": "order_date",
        "int_attribution_credits_computed": "order_date",
        "int_note_days_aggregated": "local_date",
        "int_brand_exposures_tracked": "exposure_date",
        "fct_note_daily": "local_date",
        "fct_conversions": "order_date",
        "fct_attributed_orders": "order_date",
    }


@pytest.mark.slow
def test_vars_reach_the_manifest_in_a_target_folder_of_their_own(tmp_path: Path) -> None:
    default = dbt_project_paths()
    load_manifest(default)
    chosen = {
        "contract_min_match_rate": 0.5,
        "publish_max_row_drop_share": 0.2,
        "click_lookback_days": 2,
        "view_lookback_hours": 60,
    }
    with_vars = dbt_project_paths(dbt_vars=chosen)

    settings = ModelCatalog(load_manifest(with_vars)).pipeline_vars()

    assert (settings.contract_min_match_rate, settings.publish_max_row_drop_share) == (0.5, 0.2)
    # partition_lookback_days(): the larger of the click lookback (2) and 60 h in days
    assert settings.partition_lookback_days == 3
    assert with_vars.target_path == default.target_path / f"vars-{vars_digest(chosen)}"
    assert with_vars.vars_argument == [
        "--vars",
        '{"click_lookback_days": 2, "contract_min_match_rate": 0.5, '
        '"publish_max_row_drop_share": 0.2, "view_lookback_hours": 60}',
    ]
    # the shared target folder (plain `dbt build`'s) was not re-parsed
    assert manifest_is_current(default)
    # the contract for those vars: a project of its own, whose floor is 0.5
    gx_root = contract_gx_root(settings, tmp_path / "w.duckdb", None)
    assert gx_root is not None and gx_root.parent == tmp_path / "gx"
    suite = json.loads((gx_root / "expectations" / "int_conversions_unified.json").read_text())
    floor = next(
        e
        for e in suite["expectations"]
        if e["meta"]["expectation"] == "matched_share_of_linked_conversions_at_least_floor"
    )
    assert "< 0.5 * count(*)" in floor["kwargs"]["unexpected_rows_query"]
    assert gx_project_drift() == []  # the committed gx/ is untouched
    assert (
        contract_gx_root(ModelCatalog(load_manifest(default)).pipeline_vars(), tmp_path, None)
        is None
    )


def test_dbt_sees_the_warehouse_as_a_plain_dbt_call_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt's partial parsing is thrown away when the profile's path differs."""
    monkeypatch.delenv("REDCAT_DUCKDB_PATH")
    from redcat.warehouse import warehouse_path

    assert dbt_environment(warehouse_path()) == {}
    other = tmp_path / "other.duckdb"
    assert dbt_environment(other) == {"REDCAT_DUCKDB_PATH": str(other.resolve())}
    monkeypatch.setenv("REDCAT_DUCKDB_PATH", str(other))
    assert dbt_environment(other) == {}


def test_the_project_fingerprint_follows_the_files_dbt_parses_only(tmp_path: Path):
    """An edited model changes it; Python files and bytecode in the test folder (pytest's
    modules sit in tests/, beside dbt's tests) do not, so a test run never makes the
    manifest stale."""
    (tmp_path / "dbt_project.yml").write_text(
        "name: p\nmodel-paths: [models]\ntest-paths: [tests]\n", encoding="utf-8"
    )
    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "m.sql"
    model.write_text("select 1 as x\n", encoding="utf-8")
    (tmp_path / "tests" / "python" / "__pycache__").mkdir(parents=True)
    project = DbtProjectPaths(project_dir=tmp_path, target_path=tmp_path / "target")
    before = project_fingerprint(project)

    (tmp_path / "tests" / "python" / "test_x.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "tests" / "python" / "__pycache__" / "test_x.pyc").write_bytes(b"\0")
    assert project_fingerprint(project) == before

    (tmp_path / "tests" / "assert_x.sql").write_text("select 1\n", encoding="utf-8")
    with_test = project_fingerprint(project)
    assert with_test != before
    model.write_text("select 2 as x\n", encoding="utf-8")
    assert project_fingerprint(project) != with_test
