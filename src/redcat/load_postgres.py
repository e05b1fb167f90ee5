"""Load a raw directory into the server warehouse: `redcat load`, on PostgreSQL.

The raw contract is the same for every engine, and so is its check: the whole
directory is validated first by `redcat.load.plan_load` (missing tables or
columns, unreadable files and files without a header reject it, naming table,
column and file; extra columns are dropped with a warning). Only then is
anything written, all in one transaction: each table replaces
`raw.<source>__<table>` and `raw._loads` gets a row per table, or, on any
error, the server keeps its previous load. A table that keeps its columns is
emptied and refilled, so the staging views PostgreSQL binds to it stay in place;
one whose columns change is dropped with those views (the next dbt build
creates them again).

The rows stream from DuckDB (which reads the CSV and Parquet files exactly as
`redcat load` does) to PostgreSQL's `COPY ... FROM STDIN` in Arrow batches of
`BATCH_ROWS` rows written as CSV: memory holds one batch, never a table.
Column types are `redcat load`'s (a Parquet column keeps its contract type,
anything else is text), spelled the PostgreSQL way.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import psycopg2
import pyarrow as pa
import pyarrow.csv as pa_csv

from redcat.contract import RAW_SCHEMA, RAW_TABLES
from redcat.load import RawInputError, TablePlan, file_select_sql, plan_load, quote_ident
from redcat.server import ServerSettings, connect

log = logging.getLogger(__name__)

LOADS_TABLE = f"{RAW_SCHEMA}._loads"
BATCH_ROWS = 100_000
COPY_READ_BYTES = 1 << 20  # what psycopg2 asks the stream for at a time
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")


@dataclass(frozen=True)
class ServerLoadReport:
    raw_dir: Path
    server: str  # the server as printed (no password)
    loaded_at: datetime
    rows_per_table: dict[str, int]  # relation (`<source>__<table>`) -> rows
    files_per_table: dict[str, int]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows_per_table.values())

    def format(self) -> str:
        lines = [f"Loaded {self.raw_dir} into {self.server} (schema {RAW_SCHEMA}):"]
        for relation, rows in self.rows_per_table.items():
            files = self.files_per_table[relation]
            lines.append(f"  {RAW_SCHEMA}.{relation}: {rows:,} rows from {files} file(s)")
        lines.append(f"{self.total_rows:,} rows in {self.seconds:.1f} s")
        return "\n".join(lines)


def postgres_type(duckdb_type: str) -> str:
    """The PostgreSQL type of a column `redcat load` stores as `duckdb_type` (normalised:
    upper case, no spaces)."""
    decimal = _DECIMAL.fullmatch(duckdb_type)
    if decimal:
        return f"numeric({decimal.group(1)},{decimal.group(2)})"
    types = {
        "VARCHAR": "text",
        "BIGINT": "bigint",
        "INTEGER": "integer",
        "BOOLEAN": "boolean",
        "DOUBLE": "double precision",
        "DATE": "date",
    }
    if duckdb_type not in types:
        raise ValueError(f"no PostgreSQL type for the raw column type {duckdb_type}")
    return types[duckdb_type]


class _CsvStream(io.RawIOBase):
    """A readable file over Arrow batches written as CSV, one batch at a time: what
    psycopg2's `copy_expert` reads from. Counts the rows it handed out."""

    def __init__(self, batches: Iterator[pa.RecordBatch]) -> None:
        self._batches = batches
        self._chunk = b""  # the current batch as CSV
        self._offset = 0  # how much of it was read
        self.rows = 0

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bool:
        for batch in self._batches:
            if batch.num_rows:
                sink = io.BytesIO()
                pa_csv.write_csv(batch, sink, pa_csv.WriteOptions(include_header=False))
                self._chunk, self._offset = sink.getvalue(), 0
                self.rows += batch.num_rows
                return True
        return False

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (everything left when negative); b"" at the end."""
        parts: list[bytes] = []
        wanted = size
        while wanted != 0:
            if self._offset >= len(self._chunk) and not self._next_chunk():
                break
            end = len(self._chunk) if wanted < 0 else min(len(self._chunk), self._offset + wanted)
            parts.append(self._chunk[self._offset : end])
            if wanted > 0:
                wanted -= end - self._offset
            self._offset = end
        return b"".join(parts)


def _existing_relations(cursor: Any) -> dict[str, str]:
    cursor.execute(
        "select table_name, table_type from information_schema.tables "
        "where table_catalog = current_database() and table_schema = %s",
        [RAW_SCHEMA],
    )
    return {name: kind for name, kind in cursor.fetchall()}


def _drop(cursor: Any, relation: str, kind: str) -> None:
    """Drop a raw relation and, on PostgreSQL, the views built on it (staging's base_
    views bind to it; the next dbt build creates them again)."""
    keyword = "view" if kind == "VIEW" else "table"
    cursor.execute(f"drop {keyword} if exists {RAW_SCHEMA}.{quote_ident(relation)} cascade")


def _column_types(cursor: Any, relation: str) -> list[tuple[str, str]]:
    cursor.execute(
        "select attname, format_type(atttypid, atttypmod) from pg_catalog.pg_attribute "
        "where attrelid = to_regclass(%s) and attnum > 0 and not attisdropped order by attnum",
        [f"{RAW_SCHEMA}.{quote_ident(relation)}"],
    )
    return [(name, kind) for name, kind in cursor.fetchall()]


def _replace_table(cursor: Any, plan: TablePlan, existing_kind: str | None) -> None:
    """An empty `raw.<relation>` with the plan's columns. A table that already has them
    is emptied (TRUNCATE), so the staging views built on it stay; any other is dropped
    with those views, which the next dbt build creates again."""
    relation = plan.table.relation
    wanted = [(name, postgres_type(kind)) for name, kind in plan.column_types.items()]
    if existing_kind == "BASE TABLE" and _column_types(cursor, relation) == wanted:
        cursor.execute(f"truncate {RAW_SCHEMA}.{quote_ident(relation)}")
        return
    if existing_kind is not None:
        log.warning(
            "table %s: %s.%s changes its columns; dropped with the views built on it "
            "(the next dbt build creates them again)",
            plan.table.key,
            RAW_SCHEMA,
            relation,
        )
        _drop(cursor, relation, existing_kind)
    definitions = ", ".join(f"{quote_ident(name)} {kind}" for name, kind in wanted)
    cursor.execute(f"create table {RAW_SCHEMA}.{quote_ident(relation)} ({definitions})")


def _copy_table(
    cursor: Any, con: duckdb.DuckDBPyConnection, plan: TablePlan, existing_kind: str | None
) -> int:
    """Replace the rows of `raw.<relation>` with every file of `plan`; returns the rows copied."""
    target = f"{RAW_SCHEMA}.{quote_ident(plan.table.relation)}"
    columns = ", ".join(quote_ident(name) for name in plan.column_types)
    _replace_table(cursor, plan, existing_kind)
    rows = 0
    for source in plan.files:
        try:
            reader = con.sql(file_select_sql(plan, source)).to_arrow_reader(BATCH_ROWS)
            stream = _CsvStream(iter(reader))
            cursor.copy_expert(
                f"copy {target} ({columns}) from stdin with (format csv)", stream, COPY_READ_BYTES
            )
        except (duckdb.Error, pa.ArrowException) as error:
            raise RawInputError(
                [f"table {plan.table.key}: cannot read {source.kind} file {source.path}: {error}"]
            ) from error
        except psycopg2.Error as error:
            # the COPY context names the line, which is the file's data row
            where = re.search(r"line (\d+)", error.diag.context or "")
            row = f"row {where.group(1)} of " if where else ""
            raise RawInputError(
                [
                    f"table {plan.table.key}: PostgreSQL refused {row}{source.path}: "
                    f"{error.diag.message_primary or error}"
                ]
            ) from error
        rows += stream.rows
    return rows


def load_raw_dir_to_server(
    raw_dir: Path, settings: ServerSettings | None = None
) -> ServerLoadReport:
    """Validate `raw_dir` like `redcat load` and load every table into schema `raw` of
    the server warehouse, atomically. Raises `RawInputError` (nothing written)."""
    started = time.perf_counter()
    raw_dir = Path(raw_dir).resolve()
    settings = settings or ServerSettings.from_env()
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        plans, warnings = plan_load(con, raw_dir)
        for message in warnings:
            log.warning("%s", message)
        rows: dict[str, int] = {}
        with connect(settings) as server, server.cursor() as cursor:
            try:
                cursor.execute(f"create schema if not exists {RAW_SCHEMA}")
                cursor.execute(
                    f"create table if not exists {LOADS_TABLE} (loaded_at timestamp, "
                    "raw_dir text, relation text, source_files integer, row_count bigint)"
                )
                existing = _existing_relations(cursor)
                for plan in plans:
                    relation = plan.table.relation
                    rows[relation] = _copy_table(cursor, con, plan, existing.get(relation))
                cursor.executemany(
                    f"insert into {LOADS_TABLE} values (%s, %s, %s, %s, %s)",
                    [
                        (loaded_at, str(raw_dir), relation, len(p.files), rows[relation])
                        for p in plans
                        for relation in [p.table.relation]
                    ],
                )
                server.commit()
            except BaseException:
                server.rollback()
                raise
    finally:
        con.close()
    return ServerLoadReport(
        raw_dir=raw_dir,
        server=settings.display(),
        loaded_at=loaded_at,
        rows_per_table=rows,
        files_per_table={plan.table.relation: len(plan.files) for plan in plans},
        warnings=tuple(warnings),
        seconds=time.perf_counter() - started,
    )


def clear_loaded_raw_on_server(settings: ServerSettings | None = None) -> list[str]:
    """Drop the loaded raw relations, so the server builds from the committed seeds
    again (`raw._loads` stays). The staging views built on them go too, until the
    next dbt build creates them again over the seeds. Returns the relations dropped."""
    with connect(settings) as server, server.cursor() as cursor:
        cursor.execute(
            "select 1 from information_schema.schemata where schema_name = %s", [RAW_SCHEMA]
        )
        if cursor.fetchone() is None:
            return []
        existing = _existing_relations(cursor)
        dropped = [t.relation for t in RAW_TABLES if t.relation in existing]
        for relation in dropped:
            _drop(cursor, relation, existing[relation])
        server.commit()
    return dropped
