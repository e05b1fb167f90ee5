"""The main job end to end: build, data contract gate, publication for BI."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import bi_docs
import duckdb
import pytest
from bi_support import BuiltWarehouse, copy_of
from checksums import Checksum, schema_checksums

from redcat.cli import main
from redcat.generate import write_raw_dir
from redcat.generate.faults import apply_faults
from redcat.publish import STORAGE_VERSION
from redcat.run import ContractViolation, run
from redcat.warehouse import project_root

ROOT = project_root()
# Every relation DESIGN.md promises BI under "Interfaces users rely on".
PROMISED_MARTS = {
    "fct_conversions",
    "fct_attributed_orders",
    "fct_note_daily",
    "fct_seeding_funnel_daily",
    "mart_industry_kpis_yoy",
    "mart_joint_campaign_merchants",
    "mart_campaign_roi",
}


def mart_fingerprints(database: Path, catalog_schema: str = "marts") -> dict[str, Checksum]:
    """Row count and an order-independent hash of every row, per mart relation."""
    return schema_checksums(database, catalog_schema)


@pytest.fixture
def seeds_run(seeds_published: BuiltWarehouse):
    """The session's main job on the committed seeds (conftest.py), read only."""
    built = seeds_published
    return built.work, built.gx_root, built.db_path, built.report


@pytest.fixture
def seeds_run_copy(seeds_published: BuiltWarehouse, tmp_path: Path) -> BuiltWarehouse:
    """A copy of that run's whole folder, for a test that runs the job on it again."""
    return copy_of(seeds_published, tmp_path / "main_job")


@pytest.mark.slow
def test_main_job_passes_the_contract_and_publishes_every_mart(seeds_run):
    _work, gx_root, db_path, report = seeds_run

    assert report.contract is not None and report.contract.success
    assert report.contract.data_docs_path == gx_root / "uncommitted/data_docs/local_site/index.html"
    assert report.contract.data_docs_path.is_file()
    publication = report.publication
    assert publication is not None
    assert publication.database == db_path.parent / "published" / "redcat_marts.duckdb"

    built = mart_fingerprints(db_path)
    published = mart_fingerprints(publication.database)
    assert set(built) >= PROMISED_MARTS
    assert published == built
    assert publication.rows_per_relation == {name: rows for name, (rows, _) in built.items()}
    assert sorted(p.name for p in publication.parquet_dir.iterdir()) == sorted(
        f"{name}.parquet" for name in built
    )
    con = duckdb.connect()
    try:
        for name, (rows, _) in built.items():
            parquet = publication.parquet_dir / f"{name}.parquet"
            assert con.execute(f"select count(*) from '{parquet}'").fetchone() == (rows,)
    finally:
        con.close()


@pytest.mark.slow
def test_published_copy_keeps_the_docs_and_the_old_storage_format(seeds_run):
    _work, _gx_root, _db_path, report = seeds_run
    con = duckdb.connect(str(report.publication.database), read_only=True)
    try:
        comment = con.execute(
            "select comment from duckdb_tables() where table_name = 'fct_conversions'"
        ).fetchone()
        column_comment = con.execute(
            "select comment from duckdb_columns() "
            "where table_name = 'fct_conversions' and column_name = 'gmv_cny'"
        ).fetchone()
    finally:
        con.close()
    assert comment is not None and "order line" in comment[0].lower()
    assert column_comment is not None and column_comment[0]
    # The file header names the storage format; v1.0.0 is storage version 64.
    assert STORAGE_VERSION == "v1.0.0"
    header = report.publication.database.read_bytes()[:64]
    assert header[8:12] == b"DUCK"
    assert int.from_bytes(header[12:20], "little") == 64


# Runs in the old client: every query's rows, as text.
_QUERY_ROWS = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
rows = [[str(row) for row in con.execute(sql).fetchall()] for sql in json.loads(sys.argv[2])]
print(json.dumps({"version": duckdb.__version__, "rows": rows}))
"""


@pytest.mark.slow
def test_bi_docs_run_on_the_published_copy_with_the_oldest_client(seeds_run):
    work, _gx_root, _db_path, report = seeds_run
    python = bi_docs.client_python(bi_docs.OLDEST_DUCKDB)
    database = report.publication.database
    queries = bi_docs.queries(duckdb_only=True)
    con = duckdb.connect(str(database), read_only=True)
    try:
        expected = [[str(row) for row in con.execute(sql).fetchall()] for sql in queries]
        top_campaigns = con.execute(
            "select campaign_id, spend_cny, attributed_gmv_cny, roas "
            "from marts.mart_campaign_roi where attribution_model = 'last_touch' "
            "order by attributed_gmv_cny desc limit 10"
        ).fetchall()
        merchants = con.execute(
            "select count(*), avg(joint_merchants) from marts.mart_joint_campaign_merchants"
        ).fetchone()
    finally:
        con.close()

    old = subprocess.run(
        [str(python), "-c", _QUERY_ROWS, str(database), json.dumps(queries)],
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(old.stdout)
    assert answer["version"] == bi_docs.OLDEST_DUCKDB
    assert len(queries) == 3
    assert answer["rows"] == expected
    assert all(expected), "every example returns rows on the seeds"

    # the notebook as written, from a folder laid out like the project
    notebook = subprocess.run(
        [str(python), "-c", bi_docs.notebook("the published DuckDB copy and its Parquet files")],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    )
    assert notebook.stdout.splitlines() == [
        "campaign_id, spend_cny, attributed_gmv_cny, roas",
        *(str(row) for row in top_campaigns),
        f"days, joint merchants per day: {merchants}",
    ]


@pytest.mark.slow
def test_contract_failure_stops_the_marts_and_keeps_the_last_publication(
    seeds_run_copy: BuiltWarehouse, capsys: pytest.CaptureFixture[str]
):
    work, gx_root, db_path = seeds_run_copy.work, seeds_run_copy.gx_root, seeds_run_copy.db_path
    before_built = mart_fingerprints(db_path)
    before_published = mart_fingerprints(seeds_run_copy.published)
    raw_dir = work / "raw_overlapping"
    write_raw_dir(raw_dir, 0.001, 7, progress=False)
    apply_faults(raw_dir, ["overlapping-validity"], seed=7)

    with (
        pytest.MonkeyPatch.context() as patch,
        pytest.raises(ContractViolation) as violation,
    ):
        patch.setenv("DBT_TARGET_PATH", str(work / "target"))
        patch.setenv("DBT_LOG_PATH", str(work / "logs"))
        run(raw_dir=raw_dir, db_path=db_path, gx_root=gx_root, echo=lambda _line: None)

    failed = violation.value.report.failures
    assert [(f.expectation, f.relation, f.unexpected_count) for f in failed] == [
        (
            "brand_validity_periods_do_not_overlap",
            "staging.stg_shared__tri_party_accounts",
            2,
        )
    ]
    message = str(violation.value)
    assert "FAILED brand_validity_periods_do_not_overlap" in message
    assert "relation: staging.stg_shared__tri_party_accounts" in message
    # the marts were neither rebuilt from the bad data nor republished
    assert mart_fingerprints(db_path) == before_built
    assert mart_fingerprints(seeds_run_copy.published) == before_published


@pytest.mark.slow
def test_cli_exits_3_and_names_the_failed_expectation(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
):
    raw_dir = tmp_path / "raw"
    write_raw_dir(raw_dir, 0.001, 7, progress=False)
    apply_faults(raw_dir, ["shop-two-brands"], seed=7)

    assert main(["run", "--raw-dir", str(raw_dir)]) == 3

    err = capsys.readouterr().err
    assert "the data contract failed; the marts were not built or published" in err
    assert "FAILED shop_linked_to_one_brand_per_day" in err
    assert "relation: intermediate.int_shop_links_resolved" in err
    assert mart_fingerprints(db_path) == {}
    assert not (db_path.parent / "published").exists()


@pytest.mark.slow
def test_vars_reach_the_contract_floor_and_keep_the_last_publication(
    seeds_run_copy: BuiltWarehouse,
):
    """`--vars '{contract_min_match_rate: 0.99}'`: the models are built with the vars and
    the contract applies that floor; BI keeps the last publication."""
    work, gx_root, db_path = seeds_run_copy.work, seeds_run_copy.gx_root, seeds_run_copy.db_path
    before_published = mart_fingerprints(seeds_run_copy.published)

    with (
        pytest.MonkeyPatch.context() as patch,
        pytest.raises(ContractViolation) as violation,
    ):
        patch.setenv("DBT_TARGET_PATH", str(work / "target"))
        patch.setenv("DBT_LOG_PATH", str(work / "logs"))
        run(
            db_path=db_path,
            gx_root=gx_root,
            dbt_vars={"contract_min_match_rate": 0.99},
            echo=lambda _line: None,
        )

    failed = violation.value.report.failures
    assert [(f.expectation, f.relation, f.unexpected_count) for f in failed] == [
        (
            "matched_share_of_linked_conversions_at_least_floor",
            "intermediate.int_conversions_unified",
            1,
        )
    ]
    assert failed[0].sample[0]["min_match_rate"] == 0.99
    assert mart_fingerprints(seeds_run_copy.published) == before_published


def whole_table_in_yuan(raw_dir: Path) -> int:
    """Rewrite tb/orders with `pay_fen` as yuan text in every row (a money column whose
    type changed in the export); returns the rows."""
    orders = raw_dir / "tb" / "orders.parquet"
    rewritten = orders.with_suffix(".new")
    con = duckdb.connect()
    try:
        con.execute(
            f"copy (select * replace (printf('%.2f', pay_fen / 100) as pay_fen) "
            f"from read_parquet('{orders}')) to '{rewritten}' (format parquet)"
        )
        (rows,) = con.execute(f"select count(*) from read_parquet('{rewritten}')").fetchone()
    finally:
        con.close()
    rewritten.replace(orders)
    return int(rows)


@pytest.mark.slow
def test_cli_exits_4_when_a_whole_table_is_quarantined(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
):
    raw_dir = tmp_path / "raw"
    write_raw_dir(raw_dir, 0.001, 7, progress=False)
    rows = whole_table_in_yuan(raw_dir)

    assert main(["run", "--raw-dir", str(raw_dir)]) == 4

    err = capsys.readouterr().err
    assert "a publish gate stopped the run; the marts were not built or published" in err
    assert "Publish gates on 14 raw tables: FAILED on 1 check(s)" in err
    assert (
        f"table tb/orders: quarantine_share_over_limit: {rows:,} of {rows:,} rows quarantined "
        "(100.0%), more than 10.0% (publish_max_quarantine_share)"
    ) in err
    assert "Traceback" not in err
    assert mart_fingerprints(db_path) == {}
    assert not (db_path.parent / "published").exists()
