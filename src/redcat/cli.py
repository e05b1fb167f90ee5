"""The `redcat` command line: generate, load, run, bench, dashboard.

Every failure ends the command with one message on stderr (no traceback;
`--debug` shows it) and an exit status of `redcat.errors.ExitStatus`
(docs/faults.md lists them). `redcat load` and `redcat run` hold the
warehouse lock for their whole duration: a second command on the same
warehouse exits at once, naming the one that holds it.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb

from redcat.errors import ExitStatus, RedcatError
from redcat.load import DEFAULT_ENCODING, LoadReport, normalise_encoding
from redcat.pipeline import DEFAULT_SEED, PublishGateError, table_key
from redcat.run import ContractViolation

log = logging.getLogger("redcat")


def _positive_scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"scale must be > 0, got {text}")
    return value


def _dbt_vars(text: str) -> dict[str, object]:
    """`--vars` as dbt takes it: a YAML (or JSON) mapping."""
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise argparse.ArgumentTypeError(f"not a YAML mapping: {error}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"not a YAML mapping: {text!r}")
    return value


def _raw_table(text: str) -> str:
    try:
        return table_key(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _fault_kinds(text: str) -> tuple[str, ...]:
    from redcat.generate.faults import normalise_kinds

    try:
        return normalise_kinds(text.split(","))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _encoding(text: str) -> str:
    try:
        return normalise_encoding(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{error} (e.g. utf-8, gb18030, utf-16)") from None


def _add_encoding(command: argparse.ArgumentParser, applies_to: str) -> None:
    command.add_argument(
        "--encoding",
        type=_encoding,
        default=None,
        metavar="NAME",
        help=(
            f"encoding of the CSV files of {applies_to} (default {DEFAULT_ENCODING}, the raw "
            "contract's; e.g. gb18030 for many Chinese exports)"
        ),
    )


def build_parser() -> argparse.ArgumentParser:
    # --debug is accepted before or after the command name
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="on failure, show the Python traceback as well as the message",
    )
    parser = argparse.ArgumentParser(
        prog="redcat",
        parents=[common],
        description=(
            "Seeding-to-purchase analytics: xhs notes -> Taobao / JD orders, in a dbt "
            "warehouse on DuckDB. The warehouse is REDCAT_DUCKDB_PATH, else "
            "warehouse/redcat.duckdb in the project folder. The raw data it reads "
            "(layout, tables, columns, encodings, rules): docs/sources.md."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    gen = commands.add_parser(
        "generate",
        parents=[common],
        help="write a synthetic raw directory (docs/sources.md layout)",
        description="Write a deterministic synthetic raw directory (the raw contract).",
    )
    gen.add_argument(
        "--scale",
        type=_positive_scale,
        required=True,
        metavar="SF",
        help="scale factor (1 is about 10 million xhs events)",
    )
    gen.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="N",
        help=f"random seed (default {DEFAULT_SEED})",
    )
    gen.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="raw directory to write"
    )
    gen.add_argument(
        "--faults",
        type=_fault_kinds,
        default=(),
        metavar="KIND[,KIND...]",
        help="then inject these faults (docs/faults.md); recorded in DIR/_truth/faults.json",
    )

    load = commands.add_parser(
        "load",
        parents=[common],
        help="validate a raw directory and load it into schema raw",
        description=(
            "Validate DIR against the raw contract and load every table into schema raw "
            "(<source>__<table>) in one transaction; nothing changes if DIR is rejected."
        ),
    )
    load.add_argument(
        "raw_dir", type=Path, metavar="DIR", help="raw directory (see docs/sources.md)"
    )
    _add_encoding(load, "DIR")

    run = commands.add_parser(
        "run",
        parents=[common],
        help="main job: seeds, raw dir or generated data, dbt build",
        description=(
            "Build the warehouse: from the committed seeds (default), from a raw directory "
            "(--raw-dir) or from data generated at a scale (--scale), then `dbt build`."
        ),
    )
    source = run.add_mutually_exclusive_group()
    source.add_argument("--raw-dir", type=Path, metavar="DIR", help="load this raw directory first")
    source.add_argument(
        "--scale",
        type=_positive_scale,
        metavar="SF",
        help="generate data at this scale (reused under data/generated/)",
    )
    run.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="N",
        help=f"generator seed for --scale (default {DEFAULT_SEED})",
    )
    run.add_argument(
        "--vars",
        type=_dbt_vars,
        default=None,
        metavar="YAML",
        help="dbt vars for every step, as for dbt build (e.g. '{contract_min_match_rate: 0.5}')",
    )
    run.add_argument(
        "--accept-volume-change",
        type=_raw_table,
        action="append",
        default=[],
        metavar="TABLE",
        help="publish although raw table TABLE (e.g. tb/orders) fell in volume or is empty",
    )
    run.add_argument(
        "--record-run",
        action="store_true",
        help="keep the run in warehouse/dagster/, where the Dagster UI lists it (slower)",
    )
    run.add_argument(
        "--quiet",
        action="store_true",
        help="plain lines instead of the progress display; the summary is still printed",
    )
    _add_encoding(run, "--raw-dir")

    from redcat.bench import DEFAULT_BENCH_SCALE

    bench = commands.add_parser(
        "bench",
        parents=[common],
        help="time generation, load and dbt build; print figures",
        description=(
            "Generate, measure T_floor (DuckDB reading every raw file once), run the main job "
            "and a one-day partition run in one fresh temporary folder, timing each step; "
            "print the figures and ratios (docs/benchmarks.md)."
        ),
    )
    bench.add_argument(
        "--scale",
        type=_positive_scale,
        default=DEFAULT_BENCH_SCALE,
        metavar="SF",
        help=f"scale factor (default {DEFAULT_BENCH_SCALE:g})",
    )
    bench.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="N",
        help=f"generator seed (default {DEFAULT_SEED})",
    )
    bench.add_argument(
        "--json", type=Path, metavar="PATH", help="also write every figure to PATH as JSON"
    )

    from redcat.dashboard.serve import DEFAULT_ADDRESS, DEFAULT_PORT

    dashboard = commands.add_parser(
        "dashboard",
        help="serve the BI dashboard on the published marts",
        description=(
            "Serve the Streamlit dashboard on the published marts (read-only, one short "
            "connection per query), so it never blocks a build. See docs/dashboard.md."
        ),
    )
    dashboard.add_argument(
        "--published",
        type=Path,
        metavar="FILE",
        help="published marts (default: published/redcat_marts.duckdb beside the warehouse)",
    )
    dashboard.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    dashboard.add_argument(
        "--address",
        default=DEFAULT_ADDRESS,
        help=f"address to listen on (default {DEFAULT_ADDRESS})",
    )
    return parser


def _cmd_generate(args: argparse.Namespace) -> None:
    from redcat.pipeline.raw import generate

    started = time.perf_counter()
    report = generate(args.out, args.scale, args.seed)
    seconds = time.perf_counter() - started
    rows: dict[str, int] = dict(report.rows_per_table)
    width = max((len(t) for t in rows), default=5)
    print(f"Wrote {args.out}:")
    for name, count in rows.items():
        print(f"  {name:<{width}}  {count:>12,} rows")
    total = int(report.total_rows)
    rate = total / seconds if seconds > 0 else 0.0
    print(f"  {'total':<{width}}  {total:>12,} rows in {seconds:.1f} s ({rate:,.0f} rows/s)")
    if args.faults:
        from redcat.generate.faults import apply_faults

        manifest = apply_faults(args.out, args.faults, args.seed)
        print(
            f"Injected {len(manifest.faults)} faults ({', '.join(manifest.kinds)}): {manifest.path}"
        )


def print_load(report: LoadReport) -> None:
    """The rows `redcat load` loaded per table, and the rate."""
    width = max(len(r) for r in report.rows_per_table)
    print(f"Loaded {report.raw_dir} into {report.db_path} (schema raw):")
    for relation, rows in report.rows_per_table.items():
        print(f"  raw.{relation:<{width}}  {rows:>12,} rows")
    rate = report.total_rows / report.seconds if report.seconds > 0 else 0.0
    print(
        f"  {'total':<{width + 4}}  {report.total_rows:>12,} rows in {report.seconds:.1f} s "
        f"({rate:,.0f} rows/s)"
    )


def _cmd_load(args: argparse.Namespace) -> None:
    from redcat.load import load_raw_dir
    from redcat.warehouse import hold_warehouse_lock, warehouse_path

    db_path = warehouse_path()
    with hold_warehouse_lock(db_path, args.command_line):
        report = load_raw_dir(args.raw_dir, db_path, encoding=args.encoding or DEFAULT_ENCODING)
    print_load(report)


def _cmd_run(args: argparse.Namespace) -> None:
    from redcat.run import run
    from redcat.warehouse import hold_warehouse_lock, warehouse_path

    db_path = warehouse_path()
    with hold_warehouse_lock(db_path, args.command_line):
        run(
            raw_dir=args.raw_dir,
            scale=args.scale,
            seed=args.seed,
            db_path=db_path,
            encoding=args.encoding or DEFAULT_ENCODING,
            dbt_vars=args.vars,
            accept_volume_change=args.accept_volume_change,
            quiet=args.quiet,
            record_run=args.record_run,
        )


def _cmd_bench(args: argparse.Namespace) -> None:
    from redcat.bench import bench

    bench(args.scale, args.seed, json_path=args.json)


def _cmd_dashboard(args: argparse.Namespace) -> None:
    from redcat.dashboard.data import PublicationMissingError, published_database
    from redcat.dashboard.serve import serve

    try:
        code = serve(args.published or published_database(), args.port, args.address)
    except PublicationMissingError as error:
        print(f"redcat dashboard: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    if code:
        raise SystemExit(code)


COMMANDS = {
    "generate": _cmd_generate,
    "load": _cmd_load,
    "run": _cmd_run,
    "bench": _cmd_bench,
    "dashboard": _cmd_dashboard,
}


def failure(
    command: str, error: BaseException, *, program: str = "redcat"
) -> tuple[ExitStatus, str]:
    """The exit status and the message (on stderr) for an error that ended `command`
    of `program` (`redcat`, or `python -m redcat.spark` and `python -m redcat.server`).

    The one place that maps errors to exit statuses: redcat's own errors
    carry theirs (`RedcatError.exit_status`); the rest are listed here.
    """
    prefix = f"{program} {command}:"
    if isinstance(error, ContractViolation):
        return ExitStatus.CONTRACT_FAILED, (
            f"{prefix} the data contract failed; the marts were not built or published.\n{error}"
        )
    if isinstance(error, PublishGateError):
        return error.exit_status, (
            f"{prefix} a publish gate stopped the run; the marts were not built or "
            f"published.\n{error}"
        )
    if isinstance(error, RedcatError):
        return error.exit_status, f"{prefix} {error}"
    if isinstance(error, KeyboardInterrupt):
        return ExitStatus.INTERRUPTED, f"{prefix} interrupted"
    if isinstance(error, duckdb.IOException):  # a full disk, a file gone from under it
        first = (str(error).strip().splitlines() or [""])[0]
        return ExitStatus.PATH_UNUSABLE, f"{prefix} DuckDB could not read or write a file: {first}"
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        reason = error.strerror or str(error) or type(error).__name__
        return ExitStatus.PATH_UNUSABLE, f"{prefix} {reason}{where}"
    text = str(error).strip().splitlines()
    detail = f": {text[0]}" if text else ""
    return ExitStatus.INTERNAL_ERROR, (
        f"{prefix} unexpected {type(error).__name__}{detail} (a bug in redcat: run again with "
        "--debug for the traceback, and report it)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "run" and args.encoding is not None and args.raw_dir is None:
        parser.error("--encoding applies to the files of --raw-dir only")
    args.command_line = shlex.join(["redcat", *(a for a in argv if a != "--debug")])
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    try:
        COMMANDS[args.command](args)
    except (Exception, KeyboardInterrupt) as error:
        if getattr(args, "debug", False):
            raise
        status, message = failure(args.command, error)
        print(message, file=sys.stderr)
        return int(status)
    return int(ExitStatus.OK)


if __name__ == "__main__":
    sys.exit(main())
