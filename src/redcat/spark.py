"""Spark: the whole dbt project on Spark, and the raw data it reads.

dbt's target `spark` (profiles.yml) runs dbt-spark's `session` method: Spark
in dbt's own process (pyspark, Java 17), tables as Parquet files under
`REDCAT_SPARK_DIR` (default `<root>/warehouse/spark/`: `tables/` and the Hive
metastore `metastore_db/`, an embedded Derby database that one process at a
time may open). This module holds that folder's Spark settings (the same as
the profile's `server_side_parameters`), a session on it, and the commands:

    python -m redcat.spark load DIR   # validate a raw directory like `redcat load`, into raw.*
    python -m redcat.spark clear      # drop the loaded raw tables: the committed seeds apply
    python -m redcat.spark build      # dbt build --target spark: seeds or raw.*, to the marts

`load` runs `redcat load` itself into a scratch DuckDB file (the same checks,
messages and exit status: nothing reaches Spark from a rejected directory),
writes each table as one Parquet file with the types `redcat load` stored,
and only then replaces the Spark tables `raw.<source>__<table>`, recording
the load in `raw._loads`. The dbt models read `raw.*` instead of the seeds
as soon as it exists (macro raw_relation), as on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from redcat.contract import RAW_SCHEMA, RAW_TABLES
from redcat.load import DEFAULT_ENCODING, LOADS_TABLE, load_raw_dir, quote_ident
from redcat.load_postgres import ServerLoadReport
from redcat.warehouse import connect, project_root, run_dbt, warehouse_path

log = logging.getLogger(__name__)

SPARK_DIR_ENV = "REDCAT_SPARK_DIR"
DBT_TARGET = "spark"
# a loaded table is written beside the old one under this suffix, then renamed over it
LOADING_SUFFIX = "__loading"


def spark_dir(root: Path | None = None) -> Path:
    """The Spark warehouse folder: `REDCAT_SPARK_DIR` (relative to the current
    directory) if set, else `<root>/warehouse/spark`. Always absolute."""
    configured = os.environ.get(SPARK_DIR_ENV, "").strip()
    if configured:
        return Path(configured).resolve()
    return ((root or project_root()) / "warehouse" / "spark").resolve()


def spark_conf(folder: Path) -> dict[str, str]:
    """The Spark settings of the warehouse in `folder`: the profile's
    `server_side_parameters` for target `spark`, with the folder filled in."""
    return {
        "spark.sql.warehouse.dir": f"{folder}/tables",
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={folder}/metastore_db;create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={folder}",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false",
        "spark.driver.memory": "2g",
        "spark.log.level": "ERROR",
        "spark.ui.showConsoleProgress": "false",
    }


def spark_dbt_env(folder: Path) -> dict[str, str]:
    """Environment variables that point the profile's `spark` target at `folder`."""
    return {SPARK_DIR_ENV: str(folder)}


@contextmanager
def spark_session(folder: Path | None = None) -> Iterator[Any]:
    """A Spark session (with Hive support) on the warehouse in `folder`, ended with its
    JVM on exit: the metastore is an embedded Derby database that only one JVM may open,
    so a dbt run after this one finds it free."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    folder = folder or spark_dir()
    folder.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName("redcat").enableHiveSupport()
    for key, value in spark_conf(folder).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    try:
        yield session
    finally:
        gateway = SparkContext._gateway
        session.stop()
        if gateway is not None:
            gateway.shutdown()
            process = getattr(gateway, "proc", None)
            if process is not None:
                # the JVM ends when its standard input closes
                if process.stdin is not None:
                    process.stdin.close()
                process.wait(timeout=60)
        SparkContext._gateway = None
        SparkContext._jvm = None


def _table_names(session: Any, schema: str) -> set[str]:
    return {row.tableName for row in session.sql(f"show tables in {schema}").collect()}


def _export_parquet(db_path: Path, relations: Sequence[str], out: Path) -> dict[str, Path]:
    """Each loaded raw table of the DuckDB file as one Parquet file in `out`."""
    files: dict[str, Path] = {}
    with connect(db_path, read_only=True) as con:
        for relation in relations:
            path = out / f"{relation}.parquet"
            con.execute(
                f"copy (select * from {RAW_SCHEMA}.{quote_ident(relation)}) "
                f"to '{path}' (format parquet)"
            )
            files[relation] = path
    return files


def _replace_raw_tables(session: Any, files: Mapping[str, Path]) -> None:
    """Write every table beside the old one, then rename each over it: a failure while
    writing leaves the previous load in place."""
    session.sql(f"create schema if not exists {RAW_SCHEMA}")
    existing = _table_names(session, RAW_SCHEMA)
    for relation in files:
        if f"{relation}{LOADING_SUFFIX}" in existing:
            session.sql(f"drop table {RAW_SCHEMA}.{relation}{LOADING_SUFFIX}")
    for relation, path in files.items():
        frame = session.read.parquet(str(path))
        frame.write.format("parquet").saveAsTable(f"{RAW_SCHEMA}.{relation}{LOADING_SUFFIX}")
    for relation in files:
        if relation in existing:
            session.sql(f"drop table {RAW_SCHEMA}.{relation}")
        session.sql(
            f"alter table {RAW_SCHEMA}.{relation}{LOADING_SUFFIX} rename to {RAW_SCHEMA}.{relation}"
        )


def _record_load(session: Any, raw_dir: Path, loaded_at: datetime, report: Any) -> None:
    session.sql(
        f"create table if not exists {LOADS_TABLE} (loaded_at timestamp, raw_dir string, "
        "relation string, source_files int, row_count bigint) using parquet"
    )
    rows = [
        (loaded_at, str(raw_dir), relation, report.files_per_table[relation], count)
        for relation, count in report.rows_per_table.items()
    ]
    frame = session.createDataFrame(
        rows,
        "loaded_at timestamp, raw_dir string, relation string, source_files int, row_count bigint",
    )
    frame.write.insertInto(LOADS_TABLE)


def load_raw_dir_to_spark(
    raw_dir: Path, folder: Path | None = None, *, encoding: str = DEFAULT_ENCODING
) -> ServerLoadReport:
    """Validate `raw_dir` exactly as `redcat load` does and load every table into schema
    `raw` of the Spark warehouse in `folder`. Raises `RawInputError` (Spark untouched)."""
    started = time.perf_counter()
    folder = folder or spark_dir()
    raw_dir = Path(raw_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="redcat-spark-load-") as scratch:
        scratch_dir = Path(scratch)
        # not raw.duckdb: DuckDB names the catalog after the file, and it holds schema raw
        report = load_raw_dir(raw_dir, scratch_dir / "scratch.duckdb", encoding=encoding)
        files = _export_parquet(
            scratch_dir / "scratch.duckdb", list(report.rows_per_table), scratch_dir
        )
        with spark_session(folder) as session:
            _replace_raw_tables(session, files)
            _record_load(session, raw_dir, report.loaded_at, report)
    return ServerLoadReport(
        raw_dir=raw_dir,
        server=f"Spark at {folder}",
        loaded_at=report.loaded_at,
        rows_per_table=report.rows_per_table,
        files_per_table=report.files_per_table,
        warnings=report.warnings,
        seconds=time.perf_counter() - started,
    )


def clear_loaded_raw_in_spark(folder: Path | None = None) -> list[str]:
    """Drop the loaded raw tables, so the Spark build reads the committed seeds again
    (`raw._loads` stays). Returns the relations dropped."""
    with spark_session(folder) as session:
        databases = {row[0] for row in session.sql("show databases").collect()}
        if RAW_SCHEMA not in databases:
            return []
        existing = _table_names(session, RAW_SCHEMA)
        dropped = [t.relation for t in RAW_TABLES if t.relation in existing]
        for relation in dropped:
            session.sql(f"drop table {RAW_SCHEMA}.{relation}")
    return dropped


def build(
    folder: Path | None = None,
    *,
    args: Sequence[str] = (),
    root: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> float:
    """`dbt build --target spark` (plus `args`) on the warehouse in `folder`; returns the
    seconds it took. Raises `DbtRunError` when dbt fails."""
    started = time.perf_counter()
    root = root or project_root()
    env = {**(extra_env or {}), **spark_dbt_env(folder or spark_dir(root))}
    # the DuckDB file is not used by the spark target; run_dbt sets it regardless
    run_dbt(
        ["build", "--target", DBT_TARGET, *args],
        db_path=warehouse_path(root),
        root=root,
        extra_env=env,
    )
    return time.perf_counter() - started


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m redcat.spark",
        description=(
            f"The project on Spark (dbt target spark; warehouse folder {SPARK_DIR_ENV}, "
            "default warehouse/spark)."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser(
        "load", help="validate a raw directory like `redcat load` and load it into schema raw"
    )
    load.add_argument("raw_dir", type=Path, metavar="DIR")
    load.add_argument(
        "--encoding", default=DEFAULT_ENCODING, help="the CSV files' encoding (default utf-8)"
    )
    commands.add_parser(
        "clear", help="drop the loaded raw tables, so the next build uses the committed seeds"
    )
    commands.add_parser("build", help="dbt build --target spark, the whole project")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from redcat.cli import failure
    from redcat.errors import RedcatError

    args = _parser().parse_args(argv)
    try:
        if args.command == "load":
            report = load_raw_dir_to_spark(args.raw_dir, encoding=args.encoding)
            print(report.format())
        elif args.command == "clear":
            dropped = clear_loaded_raw_in_spark()
            print(f"Dropped {len(dropped)} loaded raw tables: the committed seeds apply")
        else:
            seconds = build()
            print(f"Built the Spark warehouse {spark_dir()} in {seconds:.1f} s")
    except RedcatError as error:
        status, message = failure(args.command, error, program="python -m redcat.spark")
        print(message, file=sys.stderr)
        return int(status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
