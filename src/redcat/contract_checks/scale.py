"""Scale checks: the contract on a warehouse whose largest relation is made huge.

`replace_with_synthetic_events()` swaps `staging.stg_xhs__note_events` (the
relation that is ~10 M rows at scale factor 1) for N generated rows, built by
DuckDB with `range()`; `measure()` times the contract on copies of a warehouse
so treated. Both work on copies or temporary warehouses only.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from redcat.contract_checks.project import VERSIONED_PATHS, default_gx_root
from redcat.contract_checks.runner import DEFAULT_SAMPLE_SIZE, ContractReport, run_contract
from redcat.warehouse import connect

SYNTHETIC_RELATION = "staging.stg_xhs__note_events"


def replace_with_synthetic_events(db_path: Path, rows: int, *, malformed_rows: int = 0) -> None:
    """Make `staging.stg_xhs__note_events` a table of `rows` generated events.

    Every `user_key` is the SHA-256 of the row number, except in the first
    `malformed_rows` rows (event ids `se_0`, `se_1`, ...), where it is upper-case
    and so breaks the hash rule.
    """
    schema, name = SYNTHETIC_RELATION.split(".")
    with connect(db_path) as con:
        con.execute(
            f"""
            create or replace table {schema}.{name}__synthetic as
            select
                'se_' || cast(i as varchar) as event_id,
                'xn_synthetic' as note_id,
                case
                    when i < {int(malformed_rows)} then upper(sha256(cast(i as varchar)))
                    else sha256(cast(i as varchar))
                end as user_key,
                'impression' as event_type,
                cast('2025-01-01' as timestamp) + to_seconds(i) as event_at,
                cast(cast('2025-01-01' as timestamp) + to_seconds(i) as date) as event_date
            from range({int(rows)}) as numbers(i)
            """
        )
        found = con.execute(
            "select table_type from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()
        if found is not None:
            kind = "view" if found[0] == "VIEW" else "table"
            con.execute(f"drop {kind} {schema}.{name}")
        con.execute(f"alter table {schema}.{name}__synthetic rename to {name}")


def copy_gx_project(destination: Path, gx_root: Path | None = None) -> Path:
    """Copy the versioned files of the GX project to `destination` (for runs that must
    not write into the repository); returns `destination`."""
    source = gx_root or default_gx_root()
    destination.mkdir(parents=True, exist_ok=True)
    for name in VERSIONED_PATHS:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, destination / name)
        elif path.is_file():
            shutil.copyfile(path, destination / name)
    return destination


@dataclass(frozen=True)
class Measurement:
    rows: int
    malformed_rows: int
    report: ContractReport


def measure(
    db_path: Path,
    row_counts: Sequence[int],
    *,
    malformed_rows: int = 0,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
) -> list[Measurement]:
    """Run the contract (with Data Docs) on copies of the warehouse at `db_path`,
    one per row count, with the events relation replaced by that many rows."""
    measurements = []
    with tempfile.TemporaryDirectory(prefix="redcat-contract-scale-") as scratch:
        for rows in row_counts:
            work = Path(scratch) / f"rows_{rows}"
            copy = work / "warehouse.duckdb"
            work.mkdir()
            shutil.copyfile(db_path, copy)
            replace_with_synthetic_events(copy, rows, malformed_rows=malformed_rows)
            report = run_contract(
                copy, sample_size=sample_size, gx_root=copy_gx_project(work / "gx")
            )
            measurements.append(Measurement(rows, malformed_rows, report))
            shutil.rmtree(work)
    return measurements
