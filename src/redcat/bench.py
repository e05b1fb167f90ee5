"""`redcat bench`: generate, load and build once at a scale, and time each step.

Everything happens in a fresh temporary folder (raw files, warehouse, dbt
target and logs), so the figures include no reuse or cache and the real
warehouse is left alone. The figures:

- generation: rows written per second (all tables);
- load: rows loaded per second by `redcat load`;
- `dbt build`: wall time, from a cold parse;
- the largest staging model (`stg_`) and its row count (counting a view runs it).
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from redcat.load import load_raw_dir, quote_ident
from redcat.pipeline.raw import DEFAULT_SEED, Printer, generate, scale_label
from redcat.warehouse import connect, project_root, run_dbt

DEFAULT_BENCH_SCALE = 0.1


@dataclass(frozen=True)
class BenchReport:
    scale: float
    seed: int
    generated_rows: int
    generation_seconds: float
    loaded_rows: int
    load_seconds: float
    dbt_build_seconds: float
    largest_staging_relation: str | None
    largest_staging_rows: int

    @property
    def generation_rows_per_second(self) -> float:
        return self.generated_rows / self.generation_seconds if self.generation_seconds else 0.0

    @property
    def load_rows_per_second(self) -> float:
        return self.loaded_rows / self.load_seconds if self.load_seconds else 0.0


def largest_staging_relation(db_path: Path) -> tuple[str | None, int]:
    """The staging model (`stg_`) with the most rows, and that count."""
    with connect(db_path, read_only=True) as con:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = current_database() and table_schema = 'staging' "
                "and starts_with(table_name, 'stg_') order by table_name"
            ).fetchall()
        ]
        best: tuple[str | None, int] = (None, 0)
        for name in names:
            result = con.execute(f"select count(*) from staging.{quote_ident(name)}").fetchone()
            count = int(result[0]) if result else 0
            if best[0] is None or count > best[1]:
                best = (f"staging.{name}", count)
    return best


def bench(
    scale: float = DEFAULT_BENCH_SCALE,
    seed: int = DEFAULT_SEED,
    *,
    root: Path | None = None,
    echo: Printer = print,
) -> BenchReport:
    root = root or project_root()
    with tempfile.TemporaryDirectory(prefix="redcat-bench-") as tmp:
        work = Path(tmp)
        raw_dir = work / "raw"
        db_path = work / "warehouse.duckdb"
        echo(f"Benchmark at scale {scale_label(scale)}, seed {seed}, in {work}")

        started = time.perf_counter()
        generation = generate(raw_dir, scale, seed, progress=False)
        generation_seconds = time.perf_counter() - started
        generated_rows = int(generation.total_rows)
        echo(f"  generated {generated_rows:,} rows in {generation_seconds:.1f} s")

        load = load_raw_dir(raw_dir, db_path)
        echo(f"  loaded {load.total_rows:,} rows in {load.seconds:.1f} s")

        started = time.perf_counter()
        run_dbt(
            ["build"],
            db_path=db_path,
            root=root,
            extra_env={"DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")},
        )
        dbt_seconds = time.perf_counter() - started
        largest, largest_rows = largest_staging_relation(db_path)

    report = BenchReport(
        scale=scale,
        seed=seed,
        generated_rows=generated_rows,
        generation_seconds=generation_seconds,
        loaded_rows=load.total_rows,
        load_seconds=load.seconds,
        dbt_build_seconds=dbt_seconds,
        largest_staging_relation=largest,
        largest_staging_rows=largest_rows,
    )
    print_report(report, echo)
    return report


def print_report(report: BenchReport, echo: Printer = print) -> None:
    echo("")
    echo(
        f"redcat bench: scale {scale_label(report.scale)}, seed {report.seed}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, duckdb {duckdb.__version__}"
    )
    figures = [
        (
            "generation",
            f"{report.generation_rows_per_second:,.0f} rows/s",
            f"{report.generated_rows:,} rows in {report.generation_seconds:.1f} s",
        ),
        (
            "load",
            f"{report.load_rows_per_second:,.0f} rows/s",
            f"{report.loaded_rows:,} rows in {report.load_seconds:.1f} s",
        ),
        ("dbt build", f"{report.dbt_build_seconds:.1f} s", "wall time, cold parse"),
        (
            "largest staging",
            f"{report.largest_staging_rows:,} rows",
            report.largest_staging_relation or "no stg_ relation",
        ),
    ]
    for name, figure, detail in figures:
        echo(f"  {name:<16} {figure:>20}   {detail}")
