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

A relation partitioned by day (`day_columns`: relation -> its day column) that
the previous publication holds with the same columns is not copied whole: the
new file starts as a copy of the previous one, and only the days whose rows
differ (row count or the sum of the rows' hashes per day, computed in both
files) are deleted and inserted again. A daily run changes the days of its
window; every other day is left as it was. The Parquet files are written whole.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
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
    # relations partitioned by day updated in place of the previous publication: the
    # days written again (none when no day changed); every other relation was copied whole
    days_rewritten: dict[str, int] = field(default_factory=dict)


def published_dir(db_path: Path) -> Path:
    """Where the publication of the warehouse at `db_path` lives (beside it)."""
    return db_path.parent / "published"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _mart_relations(con: duckdb.DuckDBPyConnection, database: str = "wh") -> list[str]:
    """The tables of schema `marts` of `database` (the attached warehouse by default),
    leaving out dbt's leftovers (`*__dbt_backup`, ...)."""
    rows = con.execute(
        "select table_name from duckdb_tables() "
        "where database_name = ? and schema_name = ? order by table_name",
        [database, MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows if not name.endswith(LEFTOVER_SUFFIXES)]


def _copy_descriptions(con: duckdb.DuckDBPyConnection, schema: str, relation: str) -> None:
    """Carry the dbt docs (persisted as DuckDB comments) over to the published copy,
    clearing any the warehouse no longer has (the copy may be the previous one's)."""
    table_comment = con.execute(
        "select comment from duckdb_tables() where database_name = 'wh' "
        "and schema_name = ? and table_name = ?",
        [MARTS_SCHEMA, relation],
    ).fetchone()
    target = f"{schema}.{_quote(relation)}"
    text = table_comment[0] if table_comment else None
    con.execute(f"comment on table {target} is {_literal(text) if text else 'null'}")
    columns = con.execute(
        "select column_name, comment from duckdb_columns() where database_name = 'wh' "
        "and schema_name = ? and table_name = ?",
        [MARTS_SCHEMA, relation],
    ).fetchall()
    for column, comment in columns:
        value = _literal(comment) if comment else "null"
        con.execute(f"comment on column {target}.{_quote(column)} is {value}")


def _columns(con: duckdb.DuckDBPyConnection, database: str, relation: str) -> list[tuple[str, str]]:
    return [
        (str(name), str(data_type))
        for name, data_type in con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = ? "
            "and schema_name = ? and table_name = ? order by column_index",
            [database, MARTS_SCHEMA, relation],
        ).fetchall()
    ]


def _rewrite_changed_days(
    con: duckdb.DuckDBPyConnection, source: str, target: str, day_column: str
) -> int:
    """Delete and insert again, in `target`, the days of `day_column` whose rows differ
    from `source`'s (row count or sum of row hashes); the number of days rewritten."""
    day = _quote(day_column)
    con.execute(
        f"""
        create or replace temp table changed_days as
        select coalesce(built.day, published.day) as day
        from (
            select {day} as day, count(*) as row_count, sum(hash(t)) as row_hashes
            from {source} as t group by 1
        ) as built
        full join (
            select {day} as day, count(*) as row_count, sum(hash(t)) as row_hashes
            from {target} as t group by 1
        ) as published
            on built.day is not distinct from published.day
        where built.row_count is distinct from published.row_count
            or built.row_hashes is distinct from published.row_hashes
        """
    )
    (changed,) = con.execute("select count(*) from changed_days").fetchone() or (0,)
    if changed:
        in_changed_days = (
            f"exists (select 1 from changed_days where changed_days.day is not distinct "
            f"from rows.{day})"
        )
        con.execute(f"delete from {target} as rows where {in_changed_days}")
        con.execute(f"insert into {target} select * from {source} as rows where {in_changed_days}")
    con.execute("drop table changed_days")
    return int(changed)


def publish_marts(
    db_path: Path,
    directory: Path | None = None,
    *,
    day_columns: Mapping[str, str] | None = None,
) -> Publication:
    """Copy schema `marts` of the warehouse at `db_path` to the BI publication.

    `day_columns` names the relations partitioned by day and their day column:
    those the previous publication holds with the same columns get only their
    changed days written again (see the module docstring).
    """
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
    day_columns = day_columns or {}
    if day_columns and database.is_file():
        shutil.copyfile(database, new_database)

    rows: dict[str, int] = {}
    days_rewritten: dict[str, int] = {}
    # The new file is the main database, so it gets the old storage format (a copy of
    # the previous publication keeps the format it was written in); the warehouse is
    # attached read-only and never locked for writing.
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
        con.execute(f"create schema if not exists {schema}")
        # the previous publication's marts the warehouse no longer has
        for stale in set(_mart_relations(con, catalog)) - set(relations):
            con.execute(f"drop table {schema}.{_quote(stale)}")
        for relation in relations:
            source = f"wh.{MARTS_SCHEMA}.{_quote(relation)}"
            target = f"{schema}.{_quote(relation)}"
            published = _columns(con, catalog, relation)
            day_column = day_columns.get(relation)
            if day_column and published and published == _columns(con, "wh", relation):
                days_rewritten[relation] = _rewrite_changed_days(con, source, target, day_column)
            else:
                con.execute(f"drop table if exists {target}")
                con.execute(f"create table {target} as from {source}")
            _copy_descriptions(con, schema, relation)
            parquet = new_parquet / f"{relation}.parquet"
            con.execute(f"copy (from {source}) to {_literal(str(parquet))} (format parquet)")
            count = con.execute(f"select count(*) from {source}").fetchone()
            rows[relation] = int(count[0]) if count else 0
            (published_rows,) = con.execute(f"select count(*) from {target}").fetchone() or (0,)
            if published_rows != rows[relation]:
                raise RuntimeError(
                    f"publication of {MARTS_SCHEMA}.{relation}: {published_rows} rows "
                    f"published, {rows[relation]} in the warehouse"
                )
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
    return Publication(
        directory, database, parquet_dir, rows, time.perf_counter() - started, days_rewritten
    )
