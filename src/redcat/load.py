"""`redcat load`: validate a raw directory and load it into the warehouse.

A raw directory holds one entry per table of the contract (`redcat.contract`),
at `<dir>/<source>/<table>.csv`, `<table>.csv.gz`, `<table>.parquet` or a
folder `<dir>/<source>/<table>/` of such files (mixed allowed).

- Files are files: the loader lists them itself and hands DuckDB each path
  with its glob characters escaped, so a folder named `a[1]`, `b?` or `c*`
  is read as named, never as a pattern matching other folders.
- Every file in a table folder is read, or the directory is rejected naming
  it: nothing is skipped silently. Names starting with `.` or `_` (hidden
  files, markers such as `_SUCCESS`) are ignored, as documented.
- CSV is read as text in the contract's dialect (RFC 4180, comma, header row,
  UTF-8 unless `encoding` names another): every value arrives exactly as
  delivered (an empty field is NULL); staging parses it. The header is read
  here, not guessed by DuckDB: a header naming a column twice rejects the
  directory (which copy is right cannot be known), and a parse error names
  the file and the line.
- A file in another encoding (`encoding="gb18030"`, ...) is converted to
  UTF-8 in a temporary folder first; bytes that are not valid in the encoding
  name the file and line.
- Parquet keeps its own column types where they are the contract's; a column
  of any other type is stored as text, so nothing is lost.
- The files of one folder are unioned by column name.
- Extra columns are dropped, with a warning naming table, column and file.
- A missing table or column, or a file that cannot be read, is a
  `RawInputError` naming table, column, file and line where there is one.
- A table that arrives with no rows at all (header-only files) is loaded
  empty, with a warning naming it and the rows the previous load held.

Every table is written to schema `raw` as `<source>__<table>` in one
transaction: either the whole directory replaces the previous load, or
nothing changes. Each load is recorded in `raw._loads`.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import logging
import os
import re
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import duckdb
import pyarrow.parquet as pq

from redcat.contract import RAW_SCHEMA, RAW_TABLES, RawTable
from redcat.errors import ExitStatus, RedcatError
from redcat.warehouse import connect

log = logging.getLogger(__name__)

LOADS_TABLE = f"{RAW_SCHEMA}._loads"
CSV_SUFFIXES = (".csv", ".csv.gz")
PARQUET_SUFFIXES = (".parquet",)
DATA_SUFFIXES = CSV_SUFFIXES + PARQUET_SUFFIXES
SUFFIX_LIST = ".csv, .csv.gz or .parquet"
# The contract's encoding; `--encoding` names another (e.g. gb18030).
DEFAULT_ENCODING = "utf-8"
# Characters DuckDB reads as glob syntax in a path; each is escaped as `[c]`.
GLOB_CHARACTERS = "[?*"

# How every CSV file is read: the contract's dialect (RFC 4180, comma, UTF-8,
# header row), with the columns the header names (read here), so nothing is
# guessed that could drop or alter a line.
CSV_OPTIONS = (
    "header = true, auto_detect = false, quote = '\"', escape = '\"', sep = ',', "
    "comment = '', skip = 0, strict_mode = true, null_padding = false, encoding = 'utf-8'"
)
_CHUNK = 1 << 20


class RawInputError(RedcatError, ValueError):
    """The raw directory does not satisfy the contract; nothing was loaded."""

    exit_status = ExitStatus.INPUT_REJECTED

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        headline = "raw directory rejected (raw contract: docs/sources.md), nothing was loaded:"
        if len(self.problems) == 1:
            super().__init__(f"{headline} {self.problems[0]}")
        else:
            listing = "\n".join(f"  - {p}" for p in self.problems)
            super().__init__(f"{headline}\n{listing}")


@dataclass(frozen=True)
class SourceFile:
    """One data file of a table, with the columns it delivers."""

    path: Path  # the file as delivered (named in every message)
    kind: str  # "csv" or "parquet"
    column_types: dict[str, str]  # column -> DuckDB type as read
    read_path: Path | None = None  # a UTF-8 copy DuckDB reads instead (another encoding)

    @property
    def duckdb_path(self) -> Path:
        return self.read_path or self.path


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
    empty_tables: tuple[str, ...] = ()  # relations that arrived with no rows
    encoding: str = DEFAULT_ENCODING

    @property
    def total_rows(self) -> int:
        return sum(self.rows_per_table.values())


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def escape_glob(text: str) -> str:
    """`text` as a glob pattern that matches only itself.

    DuckDB (and Python's `glob`) expand `*`, `?` and `[...]` in paths (DuckDB
    reads braces literally); each of those characters becomes a one-character
    set, `[*]`.
    """
    return "".join(f"[{c}]" if c in GLOB_CHARACTERS else c for c in text)


def duckdb_path_literal(path: Path) -> str:
    """`path` as a SQL literal DuckDB reads as that one file, never as a glob pattern."""
    return quote_literal(escape_glob(str(path)))


def normalise_encoding(encoding: str) -> str:
    """Python's canonical name of `encoding` (`UTF8` -> `utf-8`); ValueError if unknown."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None


def data_kind(path: Path) -> str | None:
    """`csv`, `parquet`, or None for a file the loader does not read."""
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return None


def _reader(source: SourceFile) -> str:
    path = duckdb_path_literal(source.duckdb_path)
    if source.kind == "csv":
        columns = ", ".join(f"{quote_literal(c)}: 'VARCHAR'" for c in source.column_types)
        gzipped = source.duckdb_path.name.lower().endswith(".gz")
        compression = "gzip" if gzipped else "none"
        return (
            f"read_csv({path}, {CSV_OPTIONS}, compression = '{compression}', "
            f"columns = {{{columns}}})"
        )
    return f"read_parquet({path})"


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


def _visible(entry: Path) -> bool:
    """False for hidden files and markers (`.crc`, `_SUCCESS`, `_truth/`): never read."""
    return not entry.name.startswith((".", "_"))


def _table_candidates(raw_dir: Path, table: RawTable) -> list[Path]:
    base = raw_dir / table.source
    names = [f"{table.name}{suffix}" for suffix in DATA_SUFFIXES] + [table.name]
    return [base / name for name in names if (base / name).exists()]


def find_table_files(raw_dir: Path, table: RawTable) -> list[Path]:
    """The data files of one table, or `RawInputError` if it is absent or ambiguous.

    A folder's files are listed here, sorted by name; each is a `.csv`,
    `.csv.gz` or `.parquet` file, or the table is rejected naming the file.
    """
    base = raw_dir / table.source
    candidates = _table_candidates(raw_dir, table)
    if not candidates:
        others = sorted(p.name for p in base.glob(f"{escape_glob(table.name)}.*") if _visible(p))
        hint = f" (found {', '.join(others)}; the name must be one of these)" if others else ""
        stem = base / table.name
        raise RawInputError(
            [
                f"table {table.key}: missing; expected {stem}.csv, {stem}.csv.gz, "
                f"{stem}.parquet or a folder {stem}/ of such files{hint}"
            ]
        )
    if len(candidates) > 1:
        names = ", ".join(str(p) for p in candidates)
        raise RawInputError([f"table {table.key}: delivered more than once ({names}); keep one"])
    entry = candidates[0]
    if not entry.is_dir():
        if not entry.is_file():
            raise RawInputError([f"table {table.key}: {entry} is not a regular file"])
        return [entry]
    files: list[Path] = []
    problems: list[str] = []
    for child in sorted(entry.iterdir()):
        if not _visible(child):
            continue  # hidden files and markers such as _SUCCESS
        if child.is_dir():
            problems.append(
                f"table {table.key}: folder {entry} holds a subfolder {child.name}/; only "
                f"{SUFFIX_LIST} files are read (prefix its name with _ to skip it)"
            )
        elif child.is_file() and data_kind(child) is not None:
            files.append(child)
        else:
            problems.append(
                f"table {table.key}: file {child} is not a {SUFFIX_LIST} file; remove it, "
                "or prefix its name with _ to skip it"
            )
    if problems:
        raise RawInputError(problems)
    if not files:
        raise RawInputError([f"table {table.key}: folder {entry} holds no {SUFFIX_LIST} files"])
    return files


def unknown_entries(raw_dir: Path) -> list[str]:
    """Warnings for entries of the source folders that are no table of the contract."""
    known = {(t.source, p.name) for t in RAW_TABLES for p in _table_candidates(raw_dir, t)}
    warnings = []
    for source in sorted({t.source for t in RAW_TABLES}):
        folder = raw_dir / source
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if _visible(entry) and (source, entry.name) not in known:
                warnings.append(f"{entry} is not a table of the raw contract and is ignored")
    return warnings


# --- reading one file -----------------------------------------------------------


@contextmanager
def _open_binary(path: Path) -> Iterator[BinaryIO]:
    """The file's bytes, decompressed when it is gzip (`.gz`)."""
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as handle:
            yield handle  # type: ignore[misc]
    else:
        with path.open("rb") as handle:
            yield handle


class _DecodeError(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}")
        self.line = line


def _decoded_chunks(stream: BinaryIO, encoding: str) -> Iterator[str]:
    """The stream decoded, in chunks; `_DecodeError` names the line of the first bad byte.

    Everything before the bad byte is yielded first, so a reader that stops
    early (at the header) never sees an error further on.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines = 0
    while True:
        chunk = stream.read(_CHUNK)
        final = not chunk
        state = decoder.getstate()
        try:
            text = decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            # decode the chunk again byte by byte, up to the first bad byte
            decoder.setstate(state)
            for i in range(len(chunk) + 1):
                last = i == len(chunk)
                try:
                    part = decoder.decode(chunk[i : i + 1], final=final and last)
                except UnicodeDecodeError:
                    raise _DecodeError(lines + 1) from None
                lines += part.count("\n")
                if part:
                    yield part
        else:
            lines += text.count("\n")
            if text:
                yield text
        if final:
            return


def _decoded_lines(stream: BinaryIO, encoding: str) -> Iterator[str]:
    """The stream decoded, line by line (line ends kept), for `csv.reader`."""
    pending = ""
    for text in _decoded_chunks(stream, encoding):
        pending += text
        *complete, pending = pending.split("\n")
        for line in complete:
            yield line + "\n"
    if pending:
        yield pending


def _transcode(path: Path, encoding: str, out: Path) -> None:
    """Write `path` (in `encoding`, gzip or not) to `out` as plain UTF-8."""
    with _open_binary(path) as stream, out.open("w", encoding="utf-8", newline="") as target:
        for text in _decoded_chunks(stream, encoding):
            target.write(text)


def _read_header(path: Path, encoding: str) -> list[str] | None:
    """The header row's names (None when the first line is empty); raises on bad input."""
    python_encoding = "utf-8-sig" if encoding == DEFAULT_ENCODING else encoding
    with _open_binary(path) as stream:
        header = next(csv.reader(_decoded_lines(stream, python_encoding), strict=True), None)
    if not header or not any(name.strip() for name in header):
        return None
    return header


def _encoding_problem(table: RawTable, path: Path, encoding: str, line: int) -> str:
    where = f"table {table.key}: file {path}, line {line}:"
    if encoding == DEFAULT_ENCODING:
        return (
            f"{where} not UTF-8, the raw contract's encoding; re-export the file as UTF-8, "
            "or name its encoding with --encoding (e.g. --encoding gb18030)"
        )
    return f"{where} not valid {encoding} (--encoding {encoding}); check the file's encoding"


def _header_problems(
    table: RawTable, path: Path, header: list[str], what: str = "header"
) -> list[str]:
    """An empty name, or a name given twice (case-insensitively: DuckDB's names are).

    `what` is where the names come from: a CSV `header`, a Parquet `schema`.
    """
    problems = []
    seen: dict[str, tuple[int, str]] = {}
    for position, name in enumerate(header, start=1):
        if not name.strip():
            problems.append(
                f"table {table.key}: file {path}: {what} field {position} is empty; "
                "every column needs a name"
            )
            continue
        key = name.lower()
        if key in seen:
            first, first_name = seen[key]
            spelled = "" if first_name == name else f" (as {first_name!r} and {name!r})"
            problems.append(
                f"table {table.key}: file {path}: the {what} names column {first_name!r} "
                f"twice{spelled}, in fields {first} and {position}; which copy is right cannot "
                "be known: deliver it once"
            )
        else:
            seen[key] = (position, name)
    return problems


def _inspect_csv(table: RawTable, path: Path, encoding: str, scratch: Path | None) -> SourceFile:
    try:
        header = _read_header(path, encoding)
    except _DecodeError as error:
        raise RawInputError([_encoding_problem(table, path, encoding, error.line)]) from None
    except csv.Error as error:
        raise RawInputError(
            [f"table {table.key}: file {path}, line 1: the header row cannot be parsed ({error})"]
        ) from None
    except (OSError, EOFError, zlib.error) as error:
        raise RawInputError([f"table {table.key}: cannot read csv file {path}: {error}"]) from None
    if header is None:
        raise RawInputError([f"table {table.key}: file {path} is empty or has an empty header row"])
    problems = _header_problems(table, path, header)
    if problems:
        raise RawInputError(problems)
    read_path = None
    if encoding != DEFAULT_ENCODING:
        if scratch is None:
            raise ValueError("a scratch folder is needed to convert files to UTF-8")
        handle, name = tempfile.mkstemp(suffix=".csv", dir=scratch)
        os.close(handle)
        read_path = Path(name)
        try:
            _transcode(path, encoding, read_path)
        except _DecodeError as error:
            raise RawInputError([_encoding_problem(table, path, encoding, error.line)]) from None
    return SourceFile(
        path=path,
        kind="csv",
        column_types=dict.fromkeys(header, "VARCHAR"),
        read_path=read_path,
    )


def _inspect_parquet(con: duckdb.DuckDBPyConnection, table: RawTable, path: Path) -> SourceFile:
    try:
        names = pq.read_schema(path).names
    except Exception as error:  # pyarrow raises several kinds for a file that is not Parquet
        raise RawInputError(
            [f"table {table.key}: cannot read parquet file {path}: {_first_error_lines(error)}"]
        ) from None
    problems = _header_problems(table, path, names, "schema")
    if problems:
        raise RawInputError(problems)
    source = SourceFile(path=path, kind="parquet", column_types={})
    try:
        described = con.execute(f"describe select * from {_reader(source)}").fetchall()
    except duckdb.Error as error:
        raise RawInputError(
            [f"table {table.key}: cannot read parquet file {path}: {_first_error_lines(error)}"]
        ) from error
    return SourceFile(path=path, kind="parquet", column_types={r[0]: r[1] for r in described})


def _check_addressable(con: duckdb.DuckDBPyConnection, table: RawTable, path: Path) -> None:
    """The escaped path names exactly this one file for DuckDB (never a pattern)."""
    literal = duckdb_path_literal(path)
    found = [row[0] for row in con.execute(f"select file from glob({literal})").fetchall()]
    if found != [str(path)]:
        raise RawInputError(
            [f"table {table.key}: DuckDB cannot address the file {path} by its name alone"]
        )


def inspect_file(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    path: Path,
    *,
    encoding: str = DEFAULT_ENCODING,
    scratch: Path | None = None,
) -> SourceFile:
    """Read one file's columns; `RawInputError` naming the file if it cannot be read.

    A CSV file in another `encoding` is converted to UTF-8 into `scratch`.
    """
    kind = data_kind(path)
    if kind is None:
        raise RawInputError([f"table {table.key}: file {path} is not a {SUFFIX_LIST} file"])
    _check_addressable(con, table, path)
    if kind == "csv":
        return _inspect_csv(table, path, encoding, scratch)
    return _inspect_parquet(con, table, path)


def _check_columns(table: RawTable, source: SourceFile) -> tuple[list[str], list[str]]:
    """(problems, warnings) for one file's columns against the contract."""
    problems: list[str] = []
    delivered = set(source.column_types)
    loose = {c.strip().lower(): c for c in delivered}
    for column in table.column_names:
        if column not in delivered:
            hint = ""
            if column.lower() in loose:
                found = loose[column.lower()]
                why = "case-sensitive" if found.strip() == found else "exact, spaces included"
                hint = f" (found {found!r}; names are {why})"
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


def plan_load(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    *,
    encoding: str = DEFAULT_ENCODING,
    scratch: Path | None = None,
) -> tuple[list[TablePlan], list[str]]:
    """Check the whole directory against the contract before anything is written.

    Returns one plan per table and the warnings; raises one `RawInputError`
    listing every problem found. CSV files in another `encoding` are
    converted to UTF-8 into `scratch` (required then).
    """
    encoding = normalise_encoding(encoding)
    if not raw_dir.is_dir():
        raise RawInputError([f"{raw_dir} is not a directory"])
    problems: list[str] = []
    warnings: list[str] = unknown_entries(raw_dir)
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
                source = inspect_file(con, table, path, encoding=encoding, scratch=scratch)
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


# --- DuckDB's errors as the loader's messages ---------------------------------------

_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_FIELDS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_LINE_SIZE = re.compile(r"Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+) bytes")


def read_error(plan: TablePlan, source: SourceFile, error: duckdb.Error, encoding: str) -> str:
    """One line for a file DuckDB failed to read: table, file, line and what is wrong."""
    message = str(error)
    line = _CSV_LINE.search(message)
    if source.kind != "csv" or line is None:
        return (
            f"table {plan.table.key}: cannot read {source.kind} file {source.path}: "
            f"{_first_error_lines(error)}"
        )
    number = int(line.group(1))
    where = f"table {plan.table.key}: file {source.path}, line {number}:"
    if "unterminated quote" in message:
        return f"{where} a quoted value never ends (unterminated quote)"
    if "Invalid unicode" in message:
        return _encoding_problem(plan.table, source.path, encoding, number)
    if fields := _FIELDS.search(message):
        expected, found = (int(g) for g in fields.groups())
        if found > expected:  # DuckDB stops counting one past the header's
            return f"{where} more fields than the header's {expected}"
        return f"{where} {found} fields where the header has {expected}"
    if size := _LINE_SIZE.search(message):
        limit, actual = (int(g) for g in size.groups())
        return (
            f"{where} {actual:,} bytes long, over the {limit:,} bytes a line may have; "
            "no value of the raw contract is that long"
        )
    description = [
        text.strip()
        for text in message.splitlines()[1:]
        if text.strip() and not text.startswith(("Original Line", "Possible", "*", "  "))
    ]
    return f"{where} {description[0] if description else _first_error_lines(error)}"


# --- writing ----------------------------------------------------------------------


def _select_sql(plan: TablePlan, source: SourceFile) -> str:
    columns = []
    for column in plan.table.column_names:
        ident = quote_ident(column)
        if _normalise_type(source.column_types[column]) == plan.column_types[column]:
            columns.append(ident)
        else:
            columns.append(f"cast({ident} as varchar) as {ident}")
    return f"select {', '.join(columns)} from {_reader(source)}"


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


def _previous_rows(con: duckdb.DuckDBPyConnection, relation: str) -> int | None:
    """Rows the last recorded load put into `relation` (None if never loaded)."""
    row = con.execute(
        f"select row_count from {LOADS_TABLE} where relation = ? order by loaded_at desc limit 1",
        [relation],
    ).fetchone()
    return None if row is None else int(row[0])


def _empty_table_warning(plan: TablePlan, previous: int | None) -> str:
    files = ", ".join(str(source.path) for source in plan.files)
    before = "" if previous is None else f"; the previous load held {previous:,}"
    return (
        f"table {plan.table.key}: no rows delivered (header only: {files}); "
        f"raw.{plan.table.relation} now holds 0 rows{before}"
    )


def _write_tables(
    con: duckdb.DuckDBPyConnection,
    plans: list[TablePlan],
    raw_dir: Path,
    loaded_at: datetime,
    encoding: str,
) -> tuple[dict[str, int], list[str]]:
    """Replace every raw relation inside one transaction: (rows per relation, warnings)."""
    rows: dict[str, int] = {}
    warnings: list[str] = []
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
                    raise RawInputError([read_error(plan, source, error, encoding)]) from None
                rows[relation] += int(result[0]) if result else 0
            if rows[relation] == 0:
                warnings.append(_empty_table_warning(plan, _previous_rows(con, relation)))
        con.executemany(
            f"insert into {LOADS_TABLE} values (?, ?, ?, ?, ?)",
            [
                [loaded_at, str(raw_dir), p.table.relation, len(p.files), rows[p.table.relation]]
                for p in plans
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return rows, warnings


@contextmanager
def _scratch(encoding: str) -> Iterator[Path | None]:
    """A temporary folder for UTF-8 copies, when the files are in another encoding."""
    if encoding == DEFAULT_ENCODING:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="redcat-load-") as folder:
        yield Path(folder)


def load_raw_dir(raw_dir: Path, db_path: Path, *, encoding: str = DEFAULT_ENCODING) -> LoadReport:
    """Load every table of `raw_dir` into schema `raw` of the warehouse, atomically.

    `encoding` is the CSV files' encoding (default UTF-8, the contract's);
    files in another one are converted to UTF-8 in a temporary folder first.
    """
    started = time.perf_counter()
    encoding = normalise_encoding(encoding)
    raw_dir = Path(raw_dir).resolve()
    db_path = Path(db_path)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    with _scratch(encoding) as scratch, connect(db_path) as con:
        plans, warnings = plan_load(con, raw_dir, encoding=encoding, scratch=scratch)
        for message in warnings:
            log.warning("%s", message)
        rows, empty_warnings = _write_tables(con, plans, raw_dir, loaded_at, encoding)
    for message in empty_warnings:
        log.warning("%s", message)
    return LoadReport(
        raw_dir=raw_dir,
        db_path=db_path,
        loaded_at=loaded_at,
        rows_per_table=rows,
        files_per_table={plan.table.relation: len(plan.files) for plan in plans},
        warnings=(*warnings, *empty_warnings),
        seconds=time.perf_counter() - started,
        empty_tables=tuple(relation for relation, count in rows.items() if count == 0),
        encoding=encoding,
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
