"""Runs that leave nothing behind for the user or BI to trip on: the contract's
Data Docs go where the run is told (tests: a temporary folder, never the user's
`gx/uncommitted/`), every dbt run drops the relations an interrupted build left
under a temporary name and says so, and the publication never copies them.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from redcat.contract_checks import run_contract
from redcat.contract_checks.project import _stub_warehouse, _suites, uncommitted_dir
from redcat.contract_checks.rules import contract_expectations
from redcat.publish import publish_marts
from redcat.warehouse import project_root, run_dbt

ROOT = project_root()


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder`: relative path -> (size, modification time in ns)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def relations(db_path: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(
            "select table_schema, table_name from information_schema.tables order by 1, 2"
        ).fetchall()


def stub_warehouse(path: Path) -> Path:
    """A warehouse holding the checked relations, empty: every expectation runs (and fails)."""
    _stub_warehouse(path, list(_suites(contract_expectations())))
    return path


# --- Data Docs --------------------------------------------------------------------------


def test_the_contract_writes_results_and_data_docs_to_the_configured_folder(
    tmp_path: Path,
) -> None:
    configured = Path(os.environ["REDCAT_GX_UNCOMMITTED_DIR"])
    assert configured.is_relative_to(tmp_path)  # conftest sets it for every test
    repository = ROOT / "gx"
    uncommitted_before = tree(repository / "uncommitted")
    versioned_before = (repository / "great_expectations.yml").read_bytes()

    report = run_contract(stub_warehouse(tmp_path / "w.duckdb"))  # the repository's gx/

    assert not report.success  # a failing run: exactly what must not reach the user's docs
    assert uncommitted_dir(repository) == configured
    assert report.data_docs_path == configured / "data_docs" / "local_site" / "index.html"
    assert report.data_docs_path.is_file()
    assert len(list((configured / "validations").rglob("*.json"))) == 13  # one per relation
    assert tree(repository / "uncommitted") == uncommitted_before
    assert (repository / "great_expectations.yml").read_bytes() == versioned_before


def test_an_explicit_folder_beats_the_environment(tmp_path: Path) -> None:
    report = run_contract(
        stub_warehouse(tmp_path / "w.duckdb"), uncommitted=tmp_path / "docs", sample_size=1
    )

    assert report.data_docs_path == tmp_path / "docs" / "data_docs" / "local_site" / "index.html"
    assert report.data_docs_path.is_file()
    assert tree(Path(os.environ["REDCAT_GX_UNCOMMITTED_DIR"])) == {}


def test_without_the_environment_the_site_is_the_projects_uncommitted_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("REDCAT_GX_UNCOMMITTED_DIR")

    assert uncommitted_dir(tmp_path / "gx") == tmp_path / "gx" / "uncommitted"


# --- leftovers of an interrupted build ---------------------------------------------------


def plant_leftovers(db_path: Path) -> None:
    """What a build killed between dbt's commit and its drop of the backup leaves."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db_path)) as con:
        for schema in ("intermediate", "marts", "raw"):
            con.execute(f"create schema {schema}")
        con.execute("create table intermediate.int_brands_resolved as select 1 as brand_id")
        con.execute("create table intermediate.int_brands_resolved__dbt_backup as select 0 as x")
        con.execute("create table marts.fct_conversions as select 1 as order_id")
        con.execute("create table marts.fct_conversions__dbt_backup as select 0 as order_id")
        con.execute("create view marts.fct_note_daily__dbt_tmp as select 0 as note_id")
        # not a schema dbt writes: left alone
        con.execute("create table raw.tb__orders__dbt_backup as select 0 as x")


@pytest.mark.slow
def test_every_dbt_run_drops_leftover_relations_and_says_so(
    db_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    plant_leftovers(db_path)

    run_dbt(["seed", "--select", "tb__shops"], db_path=db_path)

    out = capfd.readouterr().out
    dropped = sorted(
        line.split("redcat: dropped ", 1)[1].split(",", 1)[0]
        for line in out.splitlines()
        if "redcat: dropped " in line
    )
    assert dropped == [
        "intermediate.int_brands_resolved__dbt_backup",
        "marts.fct_conversions__dbt_backup",
        "marts.fct_note_daily__dbt_tmp",
    ]
    assert "left behind by an interrupted build" in out
    assert relations(db_path) == [
        ("intermediate", "int_brands_resolved"),
        ("marts", "fct_conversions"),
        ("raw", "tb__orders__dbt_backup"),
        ("raw_sample", "tb__shops"),
    ]

    run_dbt(["seed", "--select", "tb__shops"], db_path=db_path)

    assert "redcat: dropped" not in capfd.readouterr().out


def test_the_publication_never_holds_a_leftover_relation(db_path: Path, tmp_path: Path) -> None:
    plant_leftovers(db_path)

    publication = publish_marts(db_path, tmp_path / "published")

    assert publication.rows_per_relation == {"fct_conversions": 1}
    assert relations(publication.database) == [("marts", "fct_conversions")]
    assert sorted(p.name for p in publication.parquet_dir.iterdir()) == ["fct_conversions.parquet"]
