"""Great Expectations, made to work on DuckDB; import GX from here, never directly.

Importing this module switches GX's usage reporting off (it would otherwise try
to reach the network) and then applies the one override below, so that every
later use of GX in the process runs with it.

Why the override: `SqlAlchemyExecutionEngine.execute_query` returns the
SQLAlchemy result *after* leaving its `with self.get_connection()` block. Under
SQLAlchemy 2 leaving the block rolls the connection back, and duckdb_engine
then drops the pending result, so every metric comes back empty (an IndexError
in `resolve_metric_bundle`). The override fetches the rows while the connection
is still open and returns them as an in-memory result.

It fetches at most `row_limit + 1` rows of any result: every query the
contract runs either aggregates (one row) or lists offending rows, of which a
report needs only a sample. The extra row tells whether the result was cut, and
a cut result refuses `fetchall()` rather than answer with part of the rows.
Outside `fetch_meter()` the limit is GX's own cap on any row list it keeps
(`MAX_RESULT_RECORDS`). Inside it, the limit is the caller's and every fetched
row is counted, which is how tests prove the checks run inside the warehouse.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings

os.environ["GX_ANALYTICS_ENABLED"] = "false"

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import great_expectations as gx
from great_expectations.constants import MAX_RESULT_RECORDS
from great_expectations.core.batch_definition import BatchDefinition
from great_expectations.datasource.fluent.sql_datasource import (
    QueryAsset,
    SQLDatasource,
    TableAsset,
)
from great_expectations.execution_engine.sqlalchemy_execution_engine import (
    SqlAlchemyExecutionEngine,
)

__all__ = [
    "BufferedResult",
    "FetchMeter",
    "fetch_meter",
    "gx",
    "read_from_day",
    "schema_assets_allowed",
]


@dataclass
class FetchMeter:
    """Rows and queries that went from the warehouse into Python, and the cap per query."""

    row_limit: int
    queries: int = 0
    rows: int = 0


_active_meter: ContextVar[FetchMeter | None] = ContextVar("redcat_gx_fetch_meter", default=None)


@contextmanager
def fetch_meter(row_limit: int) -> Iterator[FetchMeter]:
    """Count what GX fetches inside the block, keeping at most `row_limit` rows per query."""
    if row_limit < 1:
        raise ValueError("row_limit must be at least 1")
    meter = FetchMeter(row_limit=row_limit)
    token = _active_meter.set(meter)
    try:
        yield meter
    finally:
        _active_meter.reset(token)


@contextmanager
def schema_assets_allowed() -> Iterator[None]:
    """Silence GX's deprecation of a table asset's `schema_name` inside the block.

    GX would have the schema in the connection's configuration instead; DuckDB
    has no per-connection default schema to set there, and the contract's
    relations live in several schemas.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="`schema_name` is deprecated", category=DeprecationWarning
        )
        yield


def read_from_day(
    datasource: SQLDatasource, day_columns: Mapping[str, str], first_day: dt.date
) -> list[str]:
    """Point the datasource's table assets for `day_columns` (schema.name -> its
    local-day column) at their rows from `first_day` on; the relations changed.

    Each such asset becomes a query asset of the same name, id and batch
    definitions, so the checkpoint's validation definitions and the suites find
    it as before, and every expectation's `{batch}` is then the subquery
    `select * from <relation> where <day column> >= <first_day>`, which the
    warehouse answers from the day column's min/max per row group. The change is
    made in memory: GX saves a datasource only when an asset is added through its
    API, which this bypasses (as `_add_asset` itself sets `_datasource`).
    """
    scoped: list[str] = []
    assets: list[TableAsset | QueryAsset] = []
    for asset in datasource.assets:
        if not isinstance(asset, TableAsset):
            assets.append(asset)
            continue
        relation = f"{asset.schema_name}.{asset.table_name}"
        column = day_columns.get(relation)
        if column is None:
            assets.append(asset)
            continue
        query_asset = datasource._QueryAsset(
            name=asset.name,
            id=asset.id,
            query=(
                f"select * from {relation} "
                f"where {column} >= cast('{first_day.isoformat()}' as date)"
            ),
            batch_metadata=asset.batch_metadata,
        )
        query_asset._datasource = datasource
        for definition in asset.batch_definitions:
            copy: BatchDefinition[Any] = BatchDefinition(
                id=definition.id, name=definition.name, partitioner=definition.partitioner
            )
            copy.set_data_asset(query_asset)
            query_asset.batch_definitions.append(copy)
        assets.append(query_asset)
        scoped.append(relation)
    datasource.assets = assets
    return scoped


class TruncatedResultError(RuntimeError):
    """All rows of a result were asked for, but only its first rows were fetched."""


class BufferedResult:
    """The first rows of a query result, held in memory after the connection closed.

    Offers the part of SQLAlchemy's result interface that GX uses.
    """

    def __init__(self, keys: Sequence[str], rows: Sequence[Any], *, truncated: bool) -> None:
        self._keys = list(keys)
        self._rows = list(rows)
        self._position = 0
        self.truncated = truncated
        self.returns_rows = True

    def keys(self) -> list[str]:
        return list(self._keys)

    def fetchone(self) -> Any | None:
        if self._position >= len(self._rows):
            return None
        row = self._rows[self._position]
        self._position += 1
        return row

    def fetchmany(self, size: int | None = None) -> list[Any]:
        end = len(self._rows) if size is None else self._position + size
        rows = self._rows[self._position : end]
        self._position += len(rows)
        return rows

    def fetchall(self) -> list[Any]:
        if self.truncated:
            raise TruncatedResultError(
                f"only the first {len(self._rows)} rows of this result were fetched "
                "(redcat.contract_checks keeps queries bounded); ask for fewer rows"
            )
        return self.fetchmany()

    def all(self) -> list[Any]:
        return self.fetchall()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())

    def first(self) -> Any | None:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        row = self.first()
        return None if row is None else row[0]

    def close(self) -> None:
        self._position = len(self._rows)


def _execute_query_buffered(self: SqlAlchemyExecutionEngine, query: Any) -> Any:
    """`SqlAlchemyExecutionEngine.execute_query`, with the rows fetched before the
    connection closes (see the module docstring)."""
    meter = _active_meter.get()
    row_limit = meter.row_limit if meter is not None else MAX_RESULT_RECORDS
    with self.get_connection() as connection:
        result = self._execute_query_with_recovery(connection, query)
        if not result.returns_rows:
            return result
        keys = list(result.keys())
        rows = result.fetchmany(row_limit + 1)
        result.close()
    if meter is not None:
        meter.queries += 1
        meter.rows += len(rows)
    return BufferedResult(keys, rows[:row_limit], truncated=len(rows) > row_limit)


if not gx.__version__.startswith("1."):
    raise ImportError(
        f"redcat.contract_checks overrides Great Expectations 1.x internals; found {gx.__version__}"
    )
SqlAlchemyExecutionEngine.execute_query = _execute_query_buffered  # type: ignore[method-assign]
