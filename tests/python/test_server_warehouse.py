"""The server warehouse: the whole project on PostgreSQL, and what `bi_reader` may do there.

A private PostgreSQL 15 cluster (scripts/postgres.sh, on a free 127.0.0.1
port, in a temporary folder) holds two databases:

- `redcat`: the committed seeds, built by `redcat.server.build` (dbt build
  --target postgres up to the join models, the data contract run inside
  PostgreSQL, then the marts). `bi_reader` reads every mart there and is
  refused everything else.
- `raw_load`: the hand-made raw directory, loaded by the server loader and
  built; its rows and marts must equal DuckDB's load and the answers worked
  out on paper.

The tests skip, saying why, only when PostgreSQL cannot be started here; in CI
(`CI` set) they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bi_docs
import duckdb
import psycopg2
import psycopg2.errors
import pytest
from test_attribution_paper import HANDMADE_RAW_DIR, PAPER_ANSWERS, PAPER_BUILD

from redcat.contract import RAW_TABLES
from redcat.contract_checks import run_contract_on_server
from redcat.contract_checks.scale import copy_gx_project
from redcat.load import RawInputError, load_raw_dir
from redcat.load_postgres import LOADS_TABLE, load_raw_dir_to_server
from redcat.server import DBT_TARGET, ServerBuild, ServerSettings, build, server_dbt_env
from redcat.warehouse import DBT_ENTRY_POINT, connect, dbt_env, project_root, run_dbt

ROOT = project_root()
SCRIPT = ROOT / "scripts" / "postgres.sh"
LOAD_DATABASE = "raw_load"
MART_MODELS = sorted(path.stem for path in (ROOT / "models" / "marts").rglob("*.sql"))
CLOSED_SCHEMAS = ("raw_sample", "staging", "intermediate")
# tables of the hand-made directory delivered as Parquet with the contract's
# types, so that typed columns (date, boolean, decimal, double) travel too
TYPED_PARQUET = {
    "xhs/ad_spend_daily": {
        "spend_date": "date",
        "is_joint": "boolean",
        "spend_cny": "decimal(18,2)",
    },
    "shared/user_matches": {"confidence": "double"},
}

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Cluster:
    folder: Path
    env: dict[str, str]  # the REDCAT_PG_* settings `scripts/postgres.sh start` printed

    def settings(self, *, database: str | None = None, bi: bool = False) -> ServerSettings:
        env = dict(self.env)
        if database is not None:
            env["REDCAT_PG_DATABASE"] = database
        return ServerSettings.from_env(env, bi_reader=bi)


def _exports(text: str) -> dict[str, str]:
    """`export NAME=value` lines as a dict."""
    found = {}
    for line in text.splitlines():
        if line.startswith("export ") and "=" in line:
            name, value = line.removeprefix("export ").split("=", 1)
            found[name] = value
    return found


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A private cluster for this module, in a temporary folder, stopped and removed after."""
    folder = Path(tempfile.mkdtemp(prefix="redcat-pg-"))
    started = subprocess.run(
        [str(SCRIPT), "start", str(folder)], capture_output=True, text=True, check=False
    )
    if started.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        reason = f"PostgreSQL could not be started: {started.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield Cluster(folder, _exports(started.stdout))
    finally:
        subprocess.run([str(SCRIPT), "stop", str(folder)], capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _dbt_env(folder: Path) -> dict[str, str]:
    return {"DBT_TARGET_PATH": str(folder / "target"), "DBT_LOG_PATH": str(folder / "logs")}


@pytest.fixture(scope="module")
def seeds_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dbt's target and logs (and the GX project copy) of the seeds build."""
    return tmp_path_factory.mktemp("server_seeds")


@pytest.fixture(scope="module")
def seeds_build(cluster: Cluster, seeds_folder: Path) -> ServerBuild:
    """The committed seeds built on the server, the marts gated by the contract."""
    return build(
        cluster.settings(),
        gx_root=copy_gx_project(seeds_folder / "gx"),
        extra_env=_dbt_env(seeds_folder),
        echo=lambda _line: None,
    )


def _rows(settings: ServerSettings, sql: str) -> list[tuple[Any, ...]]:
    con = psycopg2.connect(**settings.connect_kwargs())
    try:
        with con.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        con.close()


def _execute(settings: ServerSettings, sql: str, *parameters: Any) -> None:
    con = psycopg2.connect(**settings.connect_kwargs())
    try:
        with con.cursor() as cursor:
            cursor.execute(sql, parameters)
        con.commit()
    finally:
        con.close()


def _relations(settings: ServerSettings, schema: str) -> list[str]:
    rows = _rows(
        settings,
        "select table_name from information_schema.tables "
        f"where table_schema = '{schema}' order by table_name",
    )
    return [name for (name,) in rows]


def _refused(settings: ServerSettings, sql: str) -> psycopg2.Error:
    """The error PostgreSQL answers `sql` with; the test fails if `sql` succeeds."""
    con = psycopg2.connect(**settings.connect_kwargs())
    try:
        with con.cursor() as cursor, pytest.raises(psycopg2.Error) as raised:
            cursor.execute(sql)
        return raised.value
    finally:
        con.rollback()
        con.close()


def test_the_seeds_build_on_postgres_and_pass_the_contract(
    seeds_build: ServerBuild, cluster: Cluster
):
    contract = seeds_build.contract
    assert contract.success, contract.format()
    assert len(contract.results) == 31
    assert contract.db_path is None
    port = cluster.env["REDCAT_PG_PORT"]
    assert contract.warehouse == f"postgresql://redcat@127.0.0.1:{port}/redcat"
    assert _relations(cluster.settings(), "marts") == MART_MODELS


def test_bi_reader_reads_every_mart(seeds_build: ServerBuild, cluster: Cluster):
    owner, reader = cluster.settings(), cluster.settings(bi=True)
    for mart in MART_MODELS:
        count = f"select count(*) from marts.{mart}"
        assert _rows(reader, count) == _rows(owner, count), mart
    assert _rows(reader, "select count(*) > 0 from marts.fct_attributed_orders") == [(True,)]


def test_bi_reader_is_refused_every_other_schema(seeds_build: ServerBuild, cluster: Cluster):
    owner, reader = cluster.settings(), cluster.settings(bi=True)
    for schema in CLOSED_SCHEMAS:
        relations = _relations(owner, schema)
        assert relations, schema
        for relation in relations:
            error = _refused(reader, f"select * from {schema}.{relation} limit 1")
            assert isinstance(error, psycopg2.errors.InsufficientPrivilege), relation
            assert error.pgcode == "42501"
            assert error.diag.message_primary == f"permission denied for schema {schema}"
        # not even the names: information_schema lists only what a role may use
        assert _relations(reader, schema) == [], schema
    assert _relations(reader, "marts") == MART_MODELS


def test_bi_reader_cannot_create_or_write(seeds_build: ServerBuild, cluster: Cluster):
    reader = cluster.settings(bi=True)
    refusals = {
        "create table marts.bi_notes (note text)": "permission denied for schema marts",
        "create view marts.bi_view as select 1 as one": "permission denied for schema marts",
        "insert into marts.dim_dates select * from marts.dim_dates limit 1": (
            "permission denied for table dim_dates"
        ),
        "update marts.fct_conversions set gmv_cny = 0": (
            "permission denied for table fct_conversions"
        ),
        "delete from marts.mart_campaign_roi": "permission denied for table mart_campaign_roi",
        "truncate marts.fct_note_daily": "permission denied for table fct_note_daily",
        "drop table marts.dim_brands": "must be owner of table dim_brands",
        "alter table marts.dim_notes add column extra text": "must be owner of table dim_notes",
        "create schema bi_scratch": "permission denied for database redcat",
        "create temporary table bi_scratch (a int)": (
            'permission denied to create temporary tables in database "redcat"'
        ),
        "create table public.bi_scratch (a int)": "permission denied for schema public",
    }
    for sql, message in refusals.items():
        error = _refused(reader, sql)
        assert isinstance(error, psycopg2.errors.InsufficientPrivilege), sql
        assert error.diag.message_primary == message, sql


def test_bi_docs_run_on_postgres_as_bi_reader(seeds_build: ServerBuild, cluster: Cluster):
    owner, reader = cluster.settings(), cluster.settings(bi=True)
    queries = bi_docs.queries(duckdb_only=False)
    assert len(queries) == 2
    for sql in queries:
        rows = _rows(reader, sql)
        assert rows, sql
        assert rows == _rows(owner, sql)

    top_campaigns = _rows(
        owner,
        "select campaign_id from marts.mart_campaign_roi where attribution_model = 'last_touch' "
        "order by attributed_gmv_cny desc limit 10",
    )
    notebook = subprocess.run(
        [sys.executable, "-c", bi_docs.notebook("PostgreSQL as bi_reader")],
        env={**os.environ, **cluster.env, "REDCAT_PG_PASSWORD": "not the reader's"},
        capture_output=True,
        text=True,
        check=True,
    )
    header, *lines = notebook.stdout.splitlines()
    assert header.split() == ["campaign_id", "spend_cny", "attributed_gmv_cny", "roas"]
    assert [line.split()[1] for line in lines] == [campaign for (campaign,) in top_campaigns]


# Staging's parse macros on PostgreSQL: (parser, its macro call on column v, input,
# the value as text; None for NULL). The guarded casts give NULL where DuckDB's
# try_cast does, and where PostgreSQL accepts less (docs/engines.md): year 0000,
# an offset beyond ±15:59, a double beyond its range.
PARSERS = {
    "date": "text_to_date('v')",
    "bigint": "text_to_integer('v')",
    "integer": "text_to_integer('v', 'integer')",
    "double": "text_to_double('v')",
    "iso8601": "iso8601_to_utc('v')",
    "iso8601_local_date": "utc_to_local_date(iso8601_to_utc('v'))",
    "shanghai_wall_clock": "wall_clock_to_utc('v', 'Asia/Shanghai')",
    "epoch_ms": "epoch_to_utc('v', 'ms')",
    "fen": "fen_to_yuan('v')",
    "yuan": "yuan_to_decimal('v')",
    "raw_row_json": "raw_row_json('cases', ['parser', 'v'])",
}
PARSED = [
    ("date", "2024-02-29", "2024-02-29"),
    ("date", "2025-02-29", None),
    ("date", "2025-04-31", None),
    ("date", "2025-13-01", None),
    ("date", "0000-01-01", None),
    ("date", "9999-12-31", "9999-12-31"),
    ("bigint", "123456789012345678", "123456789012345678"),
    ("bigint", "9223372036854775807", None),
    ("bigint", "1e3", None),
    ("integer", "2147483647", "2147483647"),
    ("integer", "2147483648", None),
    ("double", "0.85", "0.85"),
    ("double", "-.5", "-0.5"),
    ("double", "1e308", "1e+308"),
    ("double", "1e309", None),
    ("double", "1e-320", None),
    ("double", "nan", None),
    ("iso8601", "2025-05-13T20:00:00+08:00", "2025-05-13 12:00:00"),
    ("iso8601", "2025-05-13 20:00:00-0530", "2025-05-14 01:30:00"),
    ("iso8601", "2025-05-13T20:00:00.1234567+08", "2025-05-13 12:00:00.123456"),
    ("iso8601", "2025-05-13T24:00:00Z", "2025-05-14 00:00:00"),
    ("iso8601", "2025-05-13T23:59:60Z", None),
    ("iso8601", "2025-02-30T10:00:00Z", None),
    ("iso8601", "2025-05-13T20:00:00+16:00", None),
    ("iso8601", "2025-05-13T20:00:00", None),
    ("iso8601_local_date", "2025-05-13T15:59:59Z", "2025-05-13"),
    ("iso8601_local_date", "2025-05-13T16:00:00Z", "2025-05-14"),
    ("shanghai_wall_clock", "2025-05-13 20:00:00", "2025-05-13 12:00:00"),
    ("shanghai_wall_clock", "2025-05-13 24:00:00", "2025-05-13 16:00:00"),
    ("shanghai_wall_clock", "2025-02-29 10:00:00", None),
    ("epoch_ms", "1747137600123", "2025-05-13 12:00:00.123"),
    ("epoch_ms", "-1", None),
    ("epoch_ms", "17471376001230", None),
    ("fen", "12999", "129.99"),
    ("fen", "129.00", None),
    ("yuan", "0.5", "0.50"),
    ("yuan", "1.005", None),
    ("raw_row_json", 'say "hi"', '{"parser":"raw_row_json","v":"say \\"hi\\""}'),
    ("raw_row_json", None, '{"parser":"raw_row_json","v":null}'),
]


def _literal(value: str | None) -> str:
    return "null" if value is None else "'" + value.replace("'", "''") + "'"


def test_staging_parsers_on_postgres_give_null_where_a_cast_would_fail(
    seeds_build: ServerBuild, seeds_folder: Path, cluster: Cluster
):
    branches = "\n".join(
        f"when '{name}' then cast({{{{ {call} }}}} as text)" for name, call in PARSERS.items()
    )
    rows = ",\n".join(f"('{name}', {_literal(value)})" for name, value, _ in PARSED)
    inline = (
        f"select parser, v, case parser {branches} end as parsed "
        f"from (values {rows}) as cases (parser, v)"
    )
    command = [sys.executable, "-c", DBT_ENTRY_POINT, "compile", "--target", DBT_TARGET]
    command += ["--quiet", "--output", "json", "--inline", inline]
    command += ["--project-dir", str(ROOT), "--profiles-dir", str(ROOT)]
    compiled = subprocess.run(
        command,
        env=dbt_env(
            seeds_folder / "unused.duckdb",
            {**_dbt_env(seeds_folder), **server_dbt_env(cluster.settings())},
        ),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    sql = json.loads(compiled.stdout)["compiled"]

    assert _rows(cluster.settings(), sql) == PARSED


def _typed_raw_dir(folder: Path) -> Path:
    """The hand-made raw directory with TYPED_PARQUET's tables as typed Parquet files."""
    raw_dir = folder / "raw"
    shutil.copytree(HANDMADE_RAW_DIR, raw_dir)
    con = duckdb.connect()
    for key, types in TYPED_PARQUET.items():
        csv = raw_dir / f"{key}.csv"
        columns = ", ".join(
            f"cast({name} as {types[name]}) as {name}" if name in types else name
            for name in next(t for t in RAW_TABLES if t.key == key).column_names
        )
        con.execute(
            f"copy (select {columns} from read_csv('{csv}', all_varchar = true)) "
            f"to '{csv.with_suffix('.parquet')}' (format parquet)"
        )
        csv.unlink()
    con.close()
    return raw_dir


@dataclass(frozen=True)
class LoadedServer:
    settings: ServerSettings
    raw_dir: Path
    duckdb_path: Path  # the same directory loaded by `redcat load`


@pytest.fixture(scope="module")
def loaded_server(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> LoadedServer:
    """Database raw_load: the hand-made raw directory (two tables as typed Parquet),
    loaded by the server loader and built with the paper test's dbt build."""
    folder = tmp_path_factory.mktemp("server_load")
    raw_dir = _typed_raw_dir(folder)
    subprocess.run(
        [str(SCRIPT), "createdb", LOAD_DATABASE, str(cluster.folder)],
        check=True,
        capture_output=True,
    )
    settings = cluster.settings(database=LOAD_DATABASE)
    load_raw_dir_to_server(raw_dir, settings)
    run_dbt(
        [*PAPER_BUILD, "--target", DBT_TARGET],
        db_path=folder / "unused.duckdb",
        extra_env={**_dbt_env(folder), **server_dbt_env(settings)},
    )
    duckdb_path = folder / "warehouse.duckdb"
    load_raw_dir(raw_dir, duckdb_path)
    return LoadedServer(settings, raw_dir, duckdb_path)


def _sorted(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=lambda row: [(value is None, str(value)) for value in row])


def test_server_load_holds_what_redcat_load_holds(loaded_server: LoadedServer):
    with connect(loaded_server.duckdb_path, read_only=True) as con:
        for table in RAW_TABLES:
            relation = f"raw.{table.relation}"
            expected = con.execute(f"select * from {relation}").fetchall()
            assert expected, relation
            assert _sorted(_rows(loaded_server.settings, f"select * from {relation}")) == (
                _sorted(expected)
            ), relation
    column_types = _rows(
        loaded_server.settings,
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and column_name in "
        "('spend_date', 'is_joint', 'spend_cny', 'confidence', 'event_ms') "
        "order by table_name, column_name",
    )
    assert column_types == [
        ("shared__user_matches", "confidence", "double precision"),
        ("xhs__ad_spend_daily", "is_joint", "boolean"),
        ("xhs__ad_spend_daily", "spend_cny", "numeric"),
        ("xhs__ad_spend_daily", "spend_date", "date"),
        ("xhs__note_events", "event_ms", "text"),
    ]


def test_server_load_is_recorded_per_table(loaded_server: LoadedServer):
    with connect(loaded_server.duckdb_path, read_only=True) as con:
        expected = con.execute(
            "select relation, source_files, row_count from raw._loads order by relation"
        ).fetchall()
    recorded = _rows(
        loaded_server.settings,
        f"select relation, source_files, row_count, raw_dir from {LOADS_TABLE} order by relation",
    )
    assert [row[:3] for row in recorded] == expected
    assert len(recorded) == len(RAW_TABLES)
    assert {row[3] for row in recorded} == {str(loaded_server.raw_dir.resolve())}


def test_a_rejected_directory_leaves_the_server_load_in_place(
    loaded_server: LoadedServer, tmp_path: Path
):
    broken = tmp_path / "raw"
    shutil.copytree(loaded_server.raw_dir, broken)
    accounts = broken / "xhs" / "accounts.csv"
    lines = accounts.read_text(encoding="utf-8").splitlines()
    accounts.write_text(
        "\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8"
    )
    counts = "select count(*) from raw.xhs__accounts union all select count(*) from raw._loads"
    before = _rows(loaded_server.settings, counts)

    with pytest.raises(RawInputError) as raised:
        load_raw_dir_to_server(broken, loaded_server.settings)

    assert raised.value.problems == [
        f"table xhs/accounts: required column 'created_at' missing in {accounts}"
    ]
    assert _rows(loaded_server.settings, counts) == before


def test_a_row_postgres_refuses_rolls_the_whole_load_back(
    loaded_server: LoadedServer, tmp_path: Path
):
    broken = tmp_path / "raw"
    shutil.copytree(loaded_server.raw_dir, broken)
    notes = broken / "xhs" / "notes.csv"
    lines = notes.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",", ",\x00", 1)  # text may not hold NUL on PostgreSQL
    notes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts = "select count(*) from raw.xhs__accounts union all select count(*) from raw._loads"
    before = _rows(loaded_server.settings, counts)

    with pytest.raises(RawInputError) as raised:
        load_raw_dir_to_server(broken, loaded_server.settings)

    (problem,) = raised.value.problems
    assert problem.startswith(f"table xhs/notes: PostgreSQL refused row 3 of {notes}: ")
    assert _rows(loaded_server.settings, counts) == before


@pytest.mark.parametrize("answer", sorted(PAPER_ANSWERS))
def test_the_server_gives_the_answers_worked_out_on_paper(loaded_server: LoadedServer, answer):
    sql, expected = PAPER_ANSWERS[answer]
    assert _rows(loaded_server.settings, sql) == expected


def test_bi_reader_is_refused_the_raw_data(loaded_server: LoadedServer, cluster: Cluster):
    reader = cluster.settings(database=LOAD_DATABASE, bi=True)
    for relation in ("raw.xhs__note_events", "raw.shared__user_matches", "raw._loads"):
        error = _refused(reader, f"select * from {relation} limit 1")
        assert isinstance(error, psycopg2.errors.InsufficientPrivilege), relation
        assert error.diag.message_primary == "permission denied for schema raw"
    assert _rows(reader, "select count(*) from marts.fct_attributed_orders") == _rows(
        loaded_server.settings, "select count(*) from marts.fct_attributed_orders"
    )


def test_a_reload_with_other_column_types_replaces_the_tables(loaded_server: LoadedServer):
    settings = loaded_server.settings
    base_view = "base_shared__user_matches"
    assert base_view in _relations(settings, "staging")

    # all CSV: the typed Parquet tables become text, and PostgreSQL drops the
    # staging views bound to the old tables (the next dbt build makes them again)
    report = load_raw_dir_to_server(HANDMADE_RAW_DIR, settings)
    try:
        assert report.rows_per_table["shared__user_matches"] == 6
        assert _rows(
            settings,
            "select data_type from information_schema.columns where table_schema = 'raw' "
            "and table_name = 'shared__user_matches' and column_name = 'confidence'",
        ) == [("text",)]
        assert base_view not in _relations(settings, "staging")
    finally:
        load_raw_dir_to_server(loaded_server.raw_dir, settings)


def test_the_contract_on_postgres_names_what_broke(loaded_server: LoadedServer, tmp_path: Path):
    settings = loaded_server.settings
    gx_root = copy_gx_project(tmp_path / "gx")
    baseline = run_contract_on_server(settings, gx_root=gx_root, build_data_docs=False)
    assert baseline.success, baseline.format()
    matches = "intermediate.int_user_matches_resolved"
    (match_id,) = _rows(settings, f"select min(user_match_id) from {matches}")[0]
    broken = f"update {matches} set xhs_user_key = upper(xhs_user_key) where user_match_id = %s"
    mended = f"update {matches} set xhs_user_key = lower(xhs_user_key) where user_match_id = %s"
    _execute(settings, broken, match_id)
    try:
        report = run_contract_on_server(settings, gx_root=gx_root, build_data_docs=False)
    finally:
        _execute(settings, mended, match_id)

    (failure,) = report.failures
    assert (failure.expectation, failure.relation) == ("xhs_user_key_is_64_lowercase_hex", matches)
    assert failure.unexpected_count == 1
    assert failure.sample == [
        {"user_match_id": match_id, "xhs_user_key_problem": "upper-case characters"}
    ]


def test_the_contract_on_postgres_reads_a_partition_runs_days(
    loaded_server: LoadedServer, tmp_path: Path
):
    settings = loaded_server.settings
    gx_root = copy_gx_project(tmp_path / "gx")
    touches = "intermediate.int_touchpoints_joined_to_orders"
    (first_day, last_day) = _rows(
        settings, f"select min(order_date), max(order_date) from {touches}"
    )[0]
    assert first_day < last_day
    (touch_id,) = _rows(
        settings, f"select min(touch_id) from {touches} where order_date = '{first_day}'"
    )[0]
    broken = f"update {touches} set xhs_user_key = upper(xhs_user_key) where touch_id = %s"
    mended = f"update {touches} set xhs_user_key = lower(xhs_user_key) where touch_id = %s"
    _execute(settings, broken, touch_id)
    try:
        whole = run_contract_on_server(settings, gx_root=gx_root, build_data_docs=False)
        scoped = run_contract_on_server(
            settings, gx_root=gx_root, build_data_docs=False, rebuilt_from=last_day
        )
    finally:
        _execute(settings, mended, touch_id)

    # the touch of the first day breaks the hash rule; a run that rebuilt only the
    # last day reads that relation from the last day on, in PostgreSQL too
    assert [(f.expectation, f.relation, f.unexpected_count) for f in whole.failures] == [
        ("xhs_user_key_is_64_lowercase_hex", touches, 1)
    ]
    assert scoped.success, scoped.format()
    assert len(scoped.results) == len(whole.results) == 31
    assert touches in scoped.day_scoped and len(scoped.day_scoped) == 7
