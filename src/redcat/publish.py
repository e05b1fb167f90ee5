"""Publish the marts for BI: a read-only copy that no build ever holds open.

DuckDB allows one writer and blocks readers while it writes, and files written
by duckdb 2.x cannot be opened by the 1.x clients most BI drivers ship. So BI
never reads the build's warehouse. After a build whose tests and contract
passed, `publish_marts` writes

- `<dir>/redcat_marts.duckdb`: every relation of schema `marts`, with its table and
  column descriptions, in DuckDB's v1.0.0 storage format (never a relation an
  interrupted dbt build left under a temporary name, `*__dbt_backup`);
- `<dir>/parquet/<relation>.parquet`: the same relations as Parquet files.

Both are written beside the old copy and then renamed over it, so a reader sees
either the previous publication or the new one, never a half-written file, and
a failed or killed build leaves the last publication in place.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

MARTS_SCHEMA = "marts"
# Relations dbt builds under a temporary name; an interrupted build can leave
# one behind (the next dbt run drops it): never published.
LEFTOVER_SUFFIXES = ("__dbt_backup", "__dbt_tmp")
# The oldest storage format DuckDB 2.x still writes: readable by duckdb >= 1.0.
STORAGE_VERSION = "v1.0.0"


@dataclass(frozen=True)
class Publication:
    directory: Path
    database: Path
    parquet_dir: Path
    rows_per_relation: dict[str, int]
    seconds: float


def published_dir(db_path: Path) -> Path:
    """Where the publication of the warehouse at `db_path` lives (beside it)."""
    return db_path.parent / "published"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _mart_relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables of schema `marts`, leaving out dbt's leftovers (`*__dbt_backup`, ...)."""
    rows = con.execute(
        "select table_name from duckdb_tables() "
        "where database_name = 'wh' and schema_name = ? order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows if not name.endswith(LEFTOVER_SUFFIXES)]


def _copy_descriptions(con: duckdb.DuckDBPyConnection, schema: str, relation: str) -> None:
    """Carry the dbt docs (persisted as DuckDB comments) over to the published copy."""
    table_comment = con.execute(
        "select comment from duckdb_tables() where database_name = 'wh' "
        "and schema_name = ? and table_name = ?",
        [MARTS_SCHEMA, relation],
    ).fetchone()
    target = f"{schema}.{_quote(relation)}"
    if table_comment and table_comment[0]:
        con.execute(f"comment on table {target} is {_literal(table_comment[0])}")
    columns = con.execute(
        "select column_name, comment from duckdb_columns() where database_name = 'wh' "
        "and schema_name = ? and table_name = ? and comment is not null",
        [MARTS_SCHEMA, relation],
    ).fetchall()
    for column, comment in columns:
        con.execute(f"comment on column {target}.{_quote(column)} is {_literal(comment)}")


def publish_marts(db_path: Path, directory: Path | None = None) -> Publication:
    """Copy schema `marts` of the warehouse at `db_path` to the BI publication."""
    started = time.perf_counter()
    directory = directory or published_dir(db_path)
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "redcat_marts.duckdb"
    parquet_dir = directory / "parquet"
    new_database = directory / f".redcat_marts.duckdb.{os.getpid()}.tmp"
    new_parquet = directory / f".parquet.{os.getpid()}.tmp"
    for leftover in (new_database, new_parquet):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink(missing_ok=True)
    new_parquet.mkdir()

    rows: dict[str, int] = {}
    # The new file is the main database, so it gets the old storage format; the
    # warehouse is attached read-only and never locked for writing.
    con = duckdb.connect(
        str(new_database), config={"storage_compatibility_version": STORAGE_VERSION}
    )
    try:
        con.execute(f"attach {_literal(str(db_path))} as wh (read_only)")
        relations = _mart_relations(con)
        if not relations:
            raise RuntimeError(f"nothing to publish: schema {MARTS_SCHEMA} of {db_path} is empty")
        (catalog,) = con.execute("select current_database()").fetchone() or ("",)
        schema = f"{_quote(catalog)}.{MARTS_SCHEMA}"
        con.execute(f"create schema {schema}")
        for relation in relations:
            source = f"wh.{MARTS_SCHEMA}.{_quote(relation)}"
            con.execute(f"create table {schema}.{_quote(relation)} as from {source}")
            _copy_descriptions(con, schema, relation)
            parquet = new_parquet / f"{relation}.parquet"
            con.execute(f"copy (from {source}) to {_literal(str(parquet))} (format parquet)")
            count = con.execute(f"select count(*) from {source}").fetchone()
            rows[relation] = int(count[0]) if count else 0
        con.execute("detach wh")
        con.execute("checkpoint")
    except BaseException:
        con.close()
        new_database.unlink(missing_ok=True)
        shutil.rmtree(new_parquet, ignore_errors=True)
        raise
    con.close()

    os.replace(new_database, database)
    old_parquet = directory / f".parquet.{os.getpid()}.old"
    if parquet_dir.exists():
        os.replace(parquet_dir, old_parquet)
    os.replace(new_parquet, parquet_dir)
    shutil.rmtree(old_parquet, ignore_errors=True)
    return Publication(directory, database, parquet_dir, rows, time.perf_counter() - started)
