"""`redcat load`: validate a raw directory and load it into the warehouse.

A raw directory holds one entry per table of the contract (`redcat.contract`),
at `<dir>/<source>/<table>.csv`, `<dir>/<source>/<table>.parquet` or a folder
`<dir>/<source>/<table>/` of `.csv` and `.parquet` files (mixed allowed).

- CSV is read as text: every value arrives exactly as delivered (an empty
  field is NULL); staging parses it.
- Parquet keeps its own column types where they are the contract's; a column
  of any other type is stored as text, so nothing is lost.
- The files of one folder are unioned by column name.
- Extra columns are dropped, with a warning naming table, column and file.
- A missing table or column, or a file that cannot be read, is a
  `RawInputError` naming table, column and file.

Every table is written to schema `raw` as `<source>__<table>` in one
transaction: either the whole directory replaces the previous load, or
nothing changes. Each load is recorded in `raw._loads`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from redcat.contract import RAW_SCHEMA, RAW_TABLES, RawTable
from redcat.warehouse import connect

log = logging.getLogger(__name__)

LOADS_TABLE = f"{RAW_SCHEMA}._loads"
DATA_SUFFIXES = (".csv", ".parquet")

# How every CSV file is read: the contract's dialect (RFC 4180, comma, UTF-8,
# header row), nothing guessed that could drop or alter a line.
CSV_OPTIONS = (
    "header = true, all_varchar = true, quote = '\"', escape = '\"', sep = ',', "
    "comment = '', skip = 0, strict_mode = true, null_padding = false, encoding = 'utf-8'"
)


class RawInputError(ValueError):
    """The raw directory does not satisfy the contract; nothing was loaded."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"raw directory rejected, nothing was loaded:\n{listing}")


@dataclass(frozen=True)
class SourceFile:
    """One data file of a table, with the columns it delivers."""

    path: Path
    kind: str  # "csv" or "parquet"
    column_types: dict[str, str]  # column -> DuckDB type as read


@dataclass(frozen=True)
class TablePlan:
    table: RawTable
    files: tuple[SourceFile, ...]
    column_types: dict[str, str]  # contract column -> type stored in raw


@dataclass(frozen=True)
class LoadReport:
    raw_dir: Path
    db_path: Path
    loaded_at: datetime
    rows_per_table: dict[str, int]  # relation (`<source>__<table>`) -> rows
    files_per_table: dict[str, int]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows_per_table.values())


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _reader(kind: str, path: Path) -> str:
    if kind == "csv":
        return f"read_csv({quote_literal(str(path))}, {CSV_OPTIONS})"
    return f"read_parquet({quote_literal(str(path))})"


def _first_error_lines(error: Exception, limit: int = 4) -> str:
    """DuckDB's message without its generic advice, on one line."""
    lines: list[str] = []
    for line in str(error).splitlines():
        if line.startswith(("Possible fix", "Possible Solution", "* ")) or not line.strip():
            break
        lines.append(line.strip())
    return "; ".join(lines[:limit]) or type(error).__name__


def _normalise_type(duckdb_type: str) -> str:
    return duckdb_type.replace(" ", "").upper()


def find_table_files(raw_dir: Path, table: RawTable) -> list[Path]:
    """The data files of one table, or `RawInputError` if it is absent or ambiguous."""
    base = raw_dir / table.source
    candidates = [
        p
        for p in (base / f"{table.name}.csv", base / f"{table.name}.parquet", base / table.name)
        if p.exists()
    ]
    if not candidates:
        raise RawInputError(
            [
                f"table {table.key}: missing; expected {base / table.name}.csv, "
                f"{base / table.name}.parquet or a folder {base / table.name}/ "
                "of .csv/.parquet files"
            ]
        )
    if len(candidates) > 1:
        names = ", ".join(str(p) for p in candidates)
        raise RawInputError([f"table {table.key}: delivered more than once ({names}); keep one"])
    entry = candidates[0]
    if entry.is_file():
        return [entry]
    files: list[Path] = []
    for child in sorted(entry.iterdir()):
        if child.name.startswith((".", "_")):
            continue  # hidden files and markers such as _SUCCESS
        if child.is_file() and child.suffix.lower() in DATA_SUFFIXES:
            files.append(child)
        else:
            log.warning("table %s: ignoring %s (not a .csv or .parquet file)", table.key, child)
    if not files:
        raise RawInputError([f"table {table.key}: folder {entry} holds no .csv or .parquet files"])
    return files


def _csv_header_is_empty(path: Path) -> bool:
    with path.open("rb") as handle:
        first = handle.readline()
    return not first.removeprefix(b"\xef\xbb\xbf").strip(b"\r\n\t ")


def inspect_file(con: duckdb.DuckDBPyConnection, table: RawTable, path: Path) -> SourceFile:
    """Read one file's columns; `RawInputError` naming the file if it cannot be read."""
    kind = "parquet" if path.suffix.lower() == ".parquet" else "csv"
    if kind == "csv" and _csv_header_is_empty(path):
        raise RawInputError([f"table {table.key}: file {path} is empty or has an empty header row"])
    try:
        described = con.execute(f"describe select * from {_reader(kind, path)}").fetchall()
    except duckdb.Error as error:
        raise RawInputError(
            [f"table {table.key}: cannot read {kind} file {path}: {_first_error_lines(error)}"]
        ) from error
    return SourceFile(path=path, kind=kind, column_types={row[0]: row[1] for row in described})


def _check_columns(table: RawTable, source: SourceFile) -> tuple[list[str], list[str]]:
    """(problems, warnings) for one file's columns against the contract."""
    problems: list[str] = []
    delivered = set(source.column_types)
    lower = {c.lower(): c for c in delivered}
    for column in table.column_names:
        if column not in delivered:
            hint = ""
            if column.lower() in lower:
                hint = f" (found {lower[column.lower()]!r}; names are case-sensitive)"
            problems.append(
                f"table {table.key}: required column {column!r} missing in {source.path}{hint}"
            )
    warnings = [
        f"table {table.key}: extra column {extra!r} in {source.path} is ignored"
        for extra in source.column_types
        if extra not in table.column_names
    ]
    return problems, warnings


def _stored_types(table: RawTable, files: list[SourceFile]) -> dict[str, str]:
    """The type each contract column gets in `raw`.

    A Parquet column keeps its type when it is the contract's; anything else
    (CSV text, another Parquet type, files that disagree) is stored as VARCHAR.
    """
    stored: dict[str, str] = {}
    for column in table.columns:
        seen: set[str] = set()
        for source in files:
            as_read = _normalise_type(source.column_types[column.name])
            contract = _normalise_type(column.duckdb_type)
            seen.add(as_read if source.kind == "parquet" and as_read == contract else "VARCHAR")
        stored[column.name] = seen.pop() if len(seen) == 1 else "VARCHAR"
    return stored


def plan_load(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> tuple[list[TablePlan], list[str]]:
    """Check the whole directory against the contract before anything is written.

    Returns one plan per table and the warnings; raises one `RawInputError`
    listing every problem found.
    """
    if not raw_dir.is_dir():
        raise RawInputError([f"{raw_dir} is not a directory"])
    problems: list[str] = []
    warnings: list[str] = []
    plans: list[TablePlan] = []
    for table in RAW_TABLES:
        try:
            paths = find_table_files(raw_dir, table)
        except RawInputError as error:
            problems.extend(error.problems)
            continue
        files: list[SourceFile] = []
        for path in paths:
            try:
                source = inspect_file(con, table, path)
            except RawInputError as error:
                problems.extend(error.problems)
                continue
            column_problems, column_warnings = _check_columns(table, source)
            problems.extend(column_problems)
            warnings.extend(column_warnings)
            if not column_problems:
                files.append(source)
        if len(files) == len(paths):
            plans.append(TablePlan(table, tuple(files), _stored_types(table, files)))
    if problems:
        raise RawInputError(problems)
    return plans, warnings


def _select_sql(plan: TablePlan, source: SourceFile) -> str:
    columns = []
    for column in plan.table.column_names:
        ident = quote_ident(column)
        if _normalise_type(source.column_types[column]) == plan.column_types[column]:
            columns.append(ident)
        else:
            columns.append(f"cast({ident} as varchar) as {ident}")
    return f"select {', '.join(columns)} from {_reader(source.kind, source.path)}"


def file_select_sql(plan: TablePlan, source: SourceFile) -> str:
    """The DuckDB query reading one file of a planned table as `raw` stores it: the
    contract's columns in order, each in its planned type (the server loader's too)."""
    return _select_sql(plan, source)


def _ensure_loads_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(
        f"""
        create table if not exists {LOADS_TABLE} (
            loaded_at timestamp,
            raw_dir varchar,
            relation varchar,
            source_files integer,
            row_count bigint
        )
        """
    )


def _existing_relations(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Relations in schema `raw`: name -> table type (`BASE TABLE`, `VIEW`)."""
    rows = con.execute(
        "select table_name, table_type from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ?",
        [RAW_SCHEMA],
    ).fetchall()
    return {name: kind for name, kind in rows}


def _drop_relation(con: duckdb.DuckDBPyConnection, name: str, kind: str) -> None:
    keyword = "view" if kind == "VIEW" else "table"
    con.execute(f"drop {keyword} if exists {RAW_SCHEMA}.{quote_ident(name)}")


def load_raw_dir(raw_dir: Path, db_path: Path) -> LoadReport:
    """Load every table of `raw_dir` into schema `raw` of the warehouse, atomically."""
    started = time.perf_counter()
    raw_dir = Path(raw_dir).resolve()
    db_path = Path(db_path)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    with connect(db_path) as con:
        plans, warnings = plan_load(con, raw_dir)
        for message in warnings:
            log.warning("%s", message)
        rows: dict[str, int] = {}
        con.execute("begin transaction")
        try:
            _ensure_loads_table(con)
            existing = _existing_relations(con)
            for plan in plans:
                relation = plan.table.relation
                if relation in existing:
                    _drop_relation(con, relation, existing[relation])
                target = f"{RAW_SCHEMA}.{quote_ident(relation)}"
                column_defs = ", ".join(
                    f"{quote_ident(name)} {kind}" for name, kind in plan.column_types.items()
                )
                con.execute(f"create table {target} ({column_defs})")
                rows[relation] = 0
                for source in plan.files:
                    try:
                        result = con.execute(
                            f"insert into {target} {_select_sql(plan, source)}"
                        ).fetchone()
                    except duckdb.Error as error:
                        raise RawInputError(
                            [
                                f"table {plan.table.key}: cannot read {source.kind} file "
                                f"{source.path}: {_first_error_lines(error)}"
                            ]
                        ) from error
                    rows[relation] += int(result[0]) if result else 0
            con.executemany(
                f"insert into {LOADS_TABLE} values (?, ?, ?, ?, ?)",
                [
                    [
                        loaded_at,
                        str(raw_dir),
                        plan.table.relation,
                        len(plan.files),
                        rows[plan.table.relation],
                    ]
                    for plan in plans
                ],
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return LoadReport(
        raw_dir=raw_dir,
        db_path=db_path,
        loaded_at=loaded_at,
        rows_per_table=rows,
        files_per_table={plan.table.relation: len(plan.files) for plan in plans},
        warnings=tuple(warnings),
        seconds=time.perf_counter() - started,
    )


def loaded_relations(db_path: Path) -> list[str]:
    """The contract relations currently loaded in schema `raw` (empty if none)."""
    if not Path(db_path).exists():
        return []
    with connect(Path(db_path), read_only=True) as con:
        existing = _existing_relations(con)
    return [t.relation for t in RAW_TABLES if t.relation in existing]


def clear_loaded_raw(db_path: Path) -> list[str]:
    """Drop the loaded raw relations, so dbt falls back to the committed seeds.

    `raw._loads` stays as the history of loads. Returns the relations dropped.
    """
    if not Path(db_path).exists():
        return []
    with connect(Path(db_path)) as con:
        existing = _existing_relations(con)
        dropped = [t.relation for t in RAW_TABLES if t.relation in existing]
        con.execute("begin transaction")
        try:
            for relation in dropped:
                _drop_relation(con, relation, existing[relation])
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return dropped
