"""`python -m redcat.contract_checks COMMAND`.

validate      run the contract on a warehouse (DuckDB, or --target postgres); prints the
              report, exits 1 when it fails
write-suites  regenerate the versioned GX project (gx/) from rules.py
check-suites  exit 1 when gx/ differs from what rules.py generates
measure       time the contract with the events relation replaced by N synthetic rows
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_FAILED = 1
EXIT_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m redcat.contract_checks",
        description="The Great Expectations data contract on the shared-account join.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def gx_root_option(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--gx-root",
            type=Path,
            default=None,
            help="the GX project folder (default: <project>/gx)",
        )

    validate = commands.add_parser("validate", help="run the contract on a warehouse")
    validate.add_argument(
        "--db",
        type=Path,
        default=None,
        help="the DuckDB warehouse (default: $REDCAT_DUCKDB_PATH or warehouse/redcat.duckdb)",
    )
    validate.add_argument(
        "--target",
        choices=("duckdb", "postgres"),
        default="duckdb",
        help="postgres: the server warehouse (REDCAT_PG_* settings) instead of --db",
    )
    validate.add_argument("--sample-size", type=int, default=5, help="offending rows shown")
    validate.add_argument("--no-data-docs", action="store_true", help="skip the Data Docs")
    validate.add_argument(
        "--rows-from",
        type=dt.date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help=(
            "read the relations partitioned by day from this day on (a partition run's "
            "first rebuilt day); the others whole. Default: every row"
        ),
    )
    gx_root_option(validate)

    write = commands.add_parser("write-suites", help="regenerate gx/ from the definitions")
    gx_root_option(write)
    check = commands.add_parser("check-suites", help="fail when gx/ is out of date")
    gx_root_option(check)

    measure = commands.add_parser("measure", help="time the contract at scale (on copies)")
    measure.add_argument("--db", type=Path, required=True, help="a built warehouse to copy")
    measure.add_argument(
        "--rows",
        type=int,
        nargs="+",
        default=[1_000_000, 10_000_000],
        help="sizes of the synthetic events relation",
    )
    measure.add_argument("--malformed-rows", type=int, default=0)
    return parser


def _validate(args: argparse.Namespace) -> int:
    from redcat.contract_checks.runner import run_contract, run_contract_on_server
    from redcat.warehouse import WarehouseLockedError, warehouse_path

    if args.sample_size < 1:
        print("--sample-size must be at least 1", file=sys.stderr)
        return EXIT_ERROR
    if args.target == "postgres" and args.db is not None:
        print("--db names a DuckDB file; it does not go with --target postgres", file=sys.stderr)
        return EXIT_ERROR
    options = {
        "build_data_docs": not args.no_data_docs,
        "sample_size": args.sample_size,
        "gx_root": args.gx_root,
        "rebuilt_from": args.rows_from,
    }
    try:
        if args.target == "postgres":
            report = run_contract_on_server(**options)
        else:
            report = run_contract(args.db or warehouse_path(), **options)
    except (FileNotFoundError, WarehouseLockedError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    print(report.format())
    return 0 if report.success else EXIT_FAILED


def _write(args: argparse.Namespace) -> int:
    from redcat.contract_checks.project import default_gx_root, write_gx_project

    root = args.gx_root or default_gx_root()
    written = write_gx_project(root)
    print(f"wrote {len(written)} files under {root}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from redcat.contract_checks.project import default_gx_root, gx_project_drift

    root = args.gx_root or default_gx_root()
    drift = gx_project_drift(root)
    if drift:
        print(f"{root} is out of date with redcat/contract_checks/rules.py:")
        print("\n".join(f"  {line}" for line in drift))
        print("run: python -m redcat.contract_checks write-suites")
        return EXIT_FAILED
    print(f"{root} matches the definitions")
    return 0


def _measure(args: argparse.Namespace) -> int:
    from redcat.contract_checks.scale import SYNTHETIC_RELATION, measure

    print(f"{SYNTHETIC_RELATION} replaced by N synthetic rows; contract with Data Docs")
    print(f"{'rows':>12} {'seconds':>8} {'queries':>8} {'rows to Python':>15}  verdict")
    for result in measure(args.db, args.rows, malformed_rows=args.malformed_rows):
        report = result.report
        verdict = "passed" if report.success else f"failed ({len(report.failures)})"
        print(
            f"{result.rows:>12,} {report.seconds:>8.2f} {report.queries:>8} "
            f"{report.rows_fetched:>15}  {verdict}"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {
        "validate": _validate,
        "write-suites": _write,
        "check-suites": _check,
        "measure": _measure,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
