"""The same models on Spark: the committed seeds built by dbt-spark give DuckDB's marts.

`dbt build --target spark` (dbt-spark's session method, a temporary Spark
warehouse folder) builds the whole project from the committed seeds: seeds,
staging, intermediate, the marts with their contracts, the unit tests and the
data tests written in this project (singular tests, tests/generic). dbt's own
generic tests (`not_null`, `unique`, `accepted_values`, `relationships`: two
thirds of the nodes, a quarter of the build's time) are left out: their SQL is
dbt's, they pass on DuckDB in the same suite, and the marts they guard are
compared here row for row. Every mart is then read back through Spark and
compared row for row with the marts the main job builds on DuckDB:

- whole numbers, fen and yuan (exact decimals), dates, text and flags exactly;
- ratios (doubles: rates, shares, ROAS, year-on-year changes) to 9
  significant digits, far inside what BI shows (a percentage with one
  decimal, docs/dashboard.md); the engines sum doubles in another order.

The raw data path is checked too: `python -m redcat.spark load` holds the
same rows as `redcat load` of the hand-made raw directory.

The tests skip, saying why, only when Java cannot be found here; in CI (`CI`
set) they fail instead.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from test_attribution_paper import HANDMADE_RAW_DIR

from redcat.contract import RAW_SCHEMA, RAW_TABLES
from redcat.load import load_raw_dir
from redcat.spark import build, load_raw_dir_to_spark, spark_conf, spark_session
from redcat.spark import main as spark_main
from redcat.warehouse import project_root

pytestmark = pytest.mark.slow

ROOT = project_root()
MART_MODELS = sorted(path.stem for path in (ROOT / "models" / "marts").rglob("*.sql"))
RATIO_DIGITS = 9


@pytest.fixture(scope="module", autouse=True)
def java() -> None:
    if shutil.which("java") is None:
        reason = "Spark needs Java 17 (`java` on PATH); scripts/test.sh installs it as root"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


# dbt's built-in generic tests, left out of the Spark build (see above)
DBT_GENERIC_TESTS = ("not_null", "unique", "accepted_values", "relationships")


@dataclass(frozen=True)
class SparkBuild:
    folder: Path
    seconds: float
    marts: dict[str, Table]
    target: Path  # dbt's target folder: manifest.json, run_results.json


def _spark_table(session: Any, relation: str, columns: list[str] | None = None) -> Table:
    """A Spark table's rows (all columns, or `columns` in that order); timestamps as
    their UTC wall clock (the session's time zone), as DuckDB stores them."""
    from pyspark.sql.types import TimestampType

    frame = session.table(relation)
    types = {field.name: field.dataType for field in frame.schema.fields}
    names = columns or list(types)
    selected = [
        f"cast(`{name}` as timestamp_ntz) as `{name}`"
        if isinstance(types[name], TimestampType)
        else f"`{name}`"
        for name in names
    ]
    rows = [tuple(row) for row in frame.selectExpr(*selected).collect()]
    return Table(tuple(names), rows)


def _duckdb_table(db_path: Path, relation: str) -> Table:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        result = con.execute(f"select * from {relation}")
        columns = tuple(column[0] for column in result.description)
        return Table(columns, result.fetchall())
    finally:
        con.close()


@pytest.fixture(scope="module")
def duckdb_marts(seeds_published) -> dict[str, Table]:
    """The marts of the main job on DuckDB (the committed seeds)."""
    return {mart: _duckdb_table(seeds_published.db_path, f"marts.{mart}") for mart in MART_MODELS}


@pytest.fixture(scope="module")
def spark_work() -> Iterator[Path]:
    """A folder for this module's Spark warehouses, removed after. Not under pytest's
    numbered temporary folders: another pytest session of the same user prunes those,
    which would delete a warehouse while a long Spark build writes it."""
    work = Path(tempfile.mkdtemp(prefix="redcat-spark-test-"))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def spark_build(spark_work: Path, duckdb_marts) -> SparkBuild:
    """`dbt build --target spark` of the committed seeds, and its marts read back."""
    work = spark_work / "seeds"
    folder = work / "spark"
    env = {"DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")}
    excluded = [f"test_name:{name}" for name in DBT_GENERIC_TESTS]
    seconds = build(folder, args=["--exclude", *excluded], extra_env=env)
    with spark_session(folder) as session:
        built = {row.tableName for row in session.sql("show tables in marts").collect()}
        marts = {
            mart: _spark_table(session, f"marts.{mart}", list(duckdb_marts[mart].columns))
            for mart in MART_MODELS
            if mart in built
        }
    return SparkBuild(folder, seconds, marts, work / "target")


def _comparable(value: Any) -> Any:
    """A value as both engines must agree on it: doubles to RATIO_DIGITS significant
    digits, everything else exactly."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return repr(value)
        return float(f"{value:.{RATIO_DIGITS}g}")
    return value


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((value is None, "" if value is None else str(value)) for value in row)


def _normalised(table: Table) -> list[tuple[Any, ...]]:
    return sorted((tuple(_comparable(value) for value in row) for row in table.rows), key=_sort_key)


def test_the_spark_build_makes_every_mart(spark_build: SparkBuild):
    assert sorted(spark_build.marts) == MART_MODELS
    assert spark_build.folder.joinpath("metastore_db").is_dir()


def test_the_spark_build_runs_every_test_but_dbts_generic_ones(spark_build: SparkBuild):
    """Every unit test and every data test of the project's own passed on Spark."""
    manifest = json.loads((spark_build.target / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((spark_build.target / "run_results.json").read_text(encoding="utf-8"))
    expected = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") not in DBT_GENERIC_TESTS
    } | set(manifest["unit_tests"])
    ran = {r["unique_id"]: r["status"] for r in results["results"]}

    assert {unique_id for unique_id in ran if unique_id.split(".")[0] in ("test", "unit_test")} == (
        expected
    )
    assert {ran[unique_id] for unique_id in expected} == {"pass"}
    assert len(expected) > len(manifest["unit_tests"]) > 0


@pytest.mark.parametrize("mart", MART_MODELS)
def test_every_mart_is_the_same_on_spark_and_duckdb(
    mart: str, spark_build: SparkBuild, duckdb_marts: dict[str, Table]
):
    on_duckdb, on_spark = duckdb_marts[mart], spark_build.marts[mart]

    assert on_spark.columns == on_duckdb.columns
    assert len(on_spark.rows) == len(on_duckdb.rows)
    assert len(on_duckdb.rows) > 0
    assert _normalised(on_spark) == _normalised(on_duckdb)


def test_money_and_counts_are_exact_types_on_spark(spark_build: SparkBuild):
    """Fen and yuan stay exact decimals and counts whole numbers (no double on the way)."""
    orders = spark_build.marts["fct_conversions"]
    row = dict(zip(orders.columns, orders.rows[0], strict=True))

    assert isinstance(row["gmv_cny"], Decimal)
    assert isinstance(row["order_date"], date)
    assert not isinstance(row["order_date"], datetime)


def test_spark_load_holds_what_redcat_load_holds(spark_work: Path, tmp_path: Path):
    """`python -m redcat.spark load`: the raw contract's checks, then raw.* in Spark with
    the rows and types `redcat load` stores."""
    folder = spark_work / "load"
    report = load_raw_dir_to_spark(HANDMADE_RAW_DIR, folder)
    duckdb_path = tmp_path / "reference.duckdb"
    reference = load_raw_dir(HANDMADE_RAW_DIR, duckdb_path)

    assert report.rows_per_table == reference.rows_per_table
    with spark_session(folder) as session:
        loaded = {
            table.relation: _spark_table(session, f"{RAW_SCHEMA}.{table.relation}")
            for table in RAW_TABLES
        }
        loads = session.sql(f"select relation, row_count from {RAW_SCHEMA}._loads").collect()
    for table in RAW_TABLES:
        expected = _duckdb_table(duckdb_path, f"{RAW_SCHEMA}.{table.relation}")
        assert loaded[table.relation].columns == expected.columns, table.relation
        assert _normalised(loaded[table.relation]) == _normalised(expected), table.relation
    assert sorted(tuple(row) for row in loads) == sorted(reference.rows_per_table.items())


def test_a_rejected_directory_never_reaches_spark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    """The raw contract's checks run before Spark starts: one line naming the table,
    exit status 2, and no Spark folder written."""
    raw_dir = tmp_path / "raw"
    shutil.copytree(HANDMADE_RAW_DIR, raw_dir)
    (raw_dir / "tb" / "orders.csv").unlink()
    monkeypatch.setenv("REDCAT_SPARK_DIR", str(tmp_path / "spark"))

    assert spark_main(["load", str(raw_dir)]) == 2

    error = capsys.readouterr().err
    assert error.startswith(
        "python -m redcat.spark load: raw directory rejected (raw contract: docs/sources.md), "
        "nothing was loaded: "
        "table tb/orders:"
    )
    assert len(error.strip().splitlines()) == 1
    assert not (tmp_path / "spark").exists()


def test_the_profile_and_the_python_session_share_their_spark_settings(tmp_path: Path):
    """dbt's session (profiles.yml) and redcat.spark's open the same warehouse folder
    with the same settings."""
    profile = yaml.safe_load((ROOT / "profiles.yml").read_text(encoding="utf-8"))
    parameters = profile["redcat"]["outputs"]["spark"]["server_side_parameters"]
    folder = "{{ env_var('REDCAT_SPARK_DIR', 'warehouse/spark') }}"

    rendered = {key: str(value).replace(folder, str(tmp_path)) for key, value in parameters.items()}

    assert rendered == spark_conf(tmp_path)
