"""Run the contract against a warehouse and say, readably, what broke.

`run_contract()` loads the versioned GX project (`gx/` by default), points its
datasource at the warehouse file (read-only), runs the checkpoint, updates the
Data Docs and turns GX's results into a `ContractReport`. Every
expectation is a query computed by DuckDB; the rows that reach Python are one
count per expectation plus at most `sample_size + 1` offending rows each.

`run_contract_on_server()` runs the same suites on the server warehouse
(PostgreSQL, `redcat.server`): the datasource's connection is replaced in
memory for that run only, the versioned project is left as it is.
"""

from __future__ import annotations

import datetime as dt
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml

from redcat.contract_checks._gx import (
    FetchMeter,
    fetch_meter,
    gx,
    read_from_day,
    schema_assets_allowed,
)
from redcat.contract_checks.project import (
    CHECKPOINT,
    DATA_DOCS_SITE,
    DATASOURCE,
    WAREHOUSE_VARIABLE,
    data_docs_index,
    default_gx_root,
    dispose_engines,
    uncommitted_dir,
)
from redcat.contract_checks.rules import day_scoped_relations
from redcat.warehouse import connect, duckdb_settings

if TYPE_CHECKING:
    from great_expectations.datasource.fluent.sql_datasource import SQLDatasource

    from redcat.server import ServerSettings

DEFAULT_SAMPLE_SIZE = 5


@dataclass(frozen=True)
class ExpectationOutcome:
    """The result of one expectation on one relation."""

    expectation: str  # e.g. "shop_linked_to_one_brand_per_day"
    relation: str  # schema.name, e.g. "intermediate.int_shop_links_resolved"
    rule: str  # the rule as DESIGN.md words it
    success: bool
    unexpected_count: int | None  # offending rows; None when the check could not run
    sample: list[dict[str, Any]] = field(default_factory=list)  # first offending rows
    description: str = ""
    error: str | None = None  # why the check could not run

    @property
    def model(self) -> str:
        """The dbt model the relation is built by."""
        return self.relation.split(".", 1)[-1]


@dataclass(frozen=True)
class ContractReport:
    """What one run of the contract found."""

    success: bool
    results: list[ExpectationOutcome]
    seconds: float
    data_docs_path: Path | None
    db_path: Path | None  # the DuckDB warehouse; None for the server warehouse
    rows_fetched: int  # rows that went from the warehouse into Python, in all
    queries: int  # queries GX ran against the warehouse
    sample_size: int
    warehouse: str = ""  # what was validated, as printed: the file, or the server without password
    # after a partition run: its first rebuilt day, from which the relations in
    # `day_scoped` were read (the others whole); None when every relation was read whole
    rebuilt_from: dt.date | None = None
    day_scoped: tuple[str, ...] = ()

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.results if not outcome.success]

    def format(self) -> str:
        """A readable report: a verdict line, then every failure with a sample of its rows."""
        relations = {outcome.relation for outcome in self.results}
        failures = self.failures
        verdict = "PASSED" if self.success else "FAILED"
        lines = [
            f"Data contract on the shared-account join: {verdict} — "
            f"{len(self.results) - len(failures)} of {len(self.results)} expectations passed "
            f"on {len(relations)} relations in {self.seconds:.2f} s",
            f"  warehouse: {self.warehouse or self.db_path}",
        ]
        if self.rebuilt_from is not None:
            lines.append(
                f"  rows:      from {self.rebuilt_from.isoformat()} on (the partition run's "
                f"first rebuilt day) in {len(self.day_scoped)} relations partitioned by day; "
                "every row of the others"
            )
        for outcome in failures:
            lines.append("")
            lines.append(f"FAILED {outcome.expectation}")
            lines.append(f"  relation: {outcome.relation}")
            lines.append(f"  rule:     {outcome.rule}")
            if outcome.description:
                lines.append(f"  expects:  {outcome.description}")
            if outcome.error is not None:
                lines.append(f"  error:    the check could not run: {outcome.error}")
                continue
            lines.append(f"  offending rows: {outcome.unexpected_count}")
            shown = len(outcome.sample)
            lines.append(f"  sample ({shown} of {outcome.unexpected_count}):")
            lines.extend(f"    {_format_row(row)}" for row in outcome.sample)
        lines.append("")
        if self.data_docs_path is not None:
            lines.append(f"Data Docs: {self.data_docs_path}")
        lines.append(
            f"Computed in the warehouse: {self.queries} queries returned "
            f"{self.rows_fetched} rows to Python."
        )
        return "\n".join(lines)


def _format_value(value: Any) -> str:
    if value is None:
        return "null"
    return str(value)


def _format_row(row: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={_format_value(value)}" for key, value in row.items())


def _plain(value: Any) -> Any:
    """A sample value as plain Python: dates, times and decimals as text."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _error_message(exception_info: Any) -> str | None:
    """The first exception message in GX's exception_info, if any expectation raised."""
    if not exception_info:
        return None
    infos = [exception_info]
    if isinstance(exception_info, Mapping) and "raised_exception" not in exception_info:
        infos = list(exception_info.values())
    for info in infos:
        if isinstance(info, Mapping) and info.get("raised_exception"):
            message = str(info.get("exception_message") or "").strip()
            return message.splitlines()[0] if message else "unknown error"
    return None


def _outcome(validation_result: Any) -> ExpectationOutcome:
    config = validation_result.expectation_config
    meta = config.meta or {}
    result = validation_result.result or {}
    error = _error_message(validation_result.exception_info)
    count = result.get("observed_value")
    rows = (result.get("details") or {}).get("unexpected_rows") or []
    return ExpectationOutcome(
        expectation=str(meta.get("expectation", config.type)),
        relation=str(meta.get("relation", "")),
        rule=str(meta.get("rule", "")),
        success=bool(validation_result.success) and error is None,
        unexpected_count=None if error is not None or count is None else int(count),
        sample=[{key: _plain(value) for key, value in dict(row).items()} for row in rows],
        description=str(config.description or ""),
        error=error,
    )


def _check_readable(db_path: Path) -> None:
    if not db_path.is_file():
        raise FileNotFoundError(f"no warehouse at {db_path}: build it first (`redcat run`)")
    # raises WarehouseLockedError, with a readable message, while a writer holds the file
    with connect(db_path, read_only=True):
        pass


def _project_config(root: Path, uncommitted: Path) -> dict[str, Any]:
    """The GX project's configuration, with validation results and Data Docs in `uncommitted`.

    Only this run's in-memory copy changes; `great_expectations.yml` is not
    written (the runner adds nothing to the project, so GX never saves it).
    """
    config: dict[str, Any] = yaml.safe_load(
        (root / "great_expectations.yml").read_text(encoding="utf-8")
    )
    results_store = config["stores"][config["validation_results_store_name"]]
    results_store["store_backend"]["base_directory"] = str(uncommitted / "validations")
    site = config["data_docs_sites"][DATA_DOCS_SITE]
    site["store_backend"]["base_directory"] = str(uncommitted / "data_docs" / DATA_DOCS_SITE)
    return config


def _run_checkpoint(
    db_path: Path | None,
    root: Path,
    uncommitted: Path,
    sample_size: int,
    build_data_docs: bool,
    server_url: str | None = None,
    rebuilt_from: dt.date | None = None,
) -> tuple[dict[Any, Any], FetchMeter, tuple[str, ...]]:
    """Run the checkpoint of the GX project at `root` on `db_path` (or, given
    `server_url`, on that SQLAlchemy URL): GX's results per validation
    definition, what was fetched into Python, and the relations read from
    `rebuilt_from` on (`day_scoped_relations`; none without it). Validation
    results and Data Docs go to `uncommitted`."""
    context = gx.get_context(
        mode="file",
        project_config=_project_config(root, uncommitted),
        context_root_dir=str(root),
        runtime_environment={WAREHOUSE_VARIABLE: str(db_path or "")},
    )
    if server_url is not None:
        # in memory only: the context is never saved, gx/great_expectations.yml keeps DuckDB
        # gx/great_expectations.yml declares it `type: sql`
        datasource = cast("SQLDatasource", context.data_sources.get(DATASOURCE))
        datasource.connection_string = server_url
        datasource.kwargs = {}
    elif db_path is not None:
        # DuckDB's memory limit, threads and spill folder, as every redcat connection
        # (in memory only, like the server's URL above)
        datasource = cast("SQLDatasource", context.data_sources.get(DATASOURCE))
        declared = datasource.kwargs.get("connect_args")
        connect_args: dict[str, Any] = dict(declared) if isinstance(declared, dict) else {}
        connect_args["config"] = duckdb_settings(db_path)
        datasource.kwargs = {**datasource.kwargs, "connect_args": connect_args}
    day_scoped: tuple[str, ...] = ()
    if rebuilt_from is not None:
        # before the checkpoint is read: its validation definitions look the assets up
        day_scoped = tuple(
            read_from_day(
                cast("SQLDatasource", context.data_sources.get(DATASOURCE)),
                day_scoped_relations(),
                rebuilt_from,
            )
        )
    checkpoint = context.checkpoints.get(CHECKPOINT)
    try:
        with fetch_meter(sample_size) as meter:
            run_results = checkpoint.run().run_results
    finally:
        dispose_engines(context)
    if build_data_docs:
        context.build_data_docs(
            # GX's annotation wants one kind per list; it renders both kinds from one list
            resource_identifiers=[  # type: ignore[arg-type]
                identifier
                for result_id in run_results
                for identifier in (result_id, result_id.expectation_suite_identifier)
            ]
        )
    return dict(run_results), meter, day_scoped


def run_contract(
    db_path: Path,
    *,
    build_data_docs: bool = True,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    gx_root: Path | None = None,
    uncommitted: Path | None = None,
    rebuilt_from: dt.date | None = None,
) -> ContractReport:
    """Validate the warehouse at `db_path` against the contract.

    After a partition run, `rebuilt_from` (its first rebuilt day, lookback
    included) limits the relations partitioned by day to their rows from that
    day on (`day_scoped_relations`): the rows the run wrote, and the newer
    ones. Every other relation, and every relation without it, is read whole.

    `gx_root` is the GX project (default `<project>/gx`); validation results
    and Data Docs go to `uncommitted`, else `REDCAT_GX_UNCOMMITTED_DIR`, else
    its `uncommitted/` folder (Data Docs only when `build_data_docs`).
    At most `sample_size` offending rows per expectation are fetched and shown.
    The warehouse is opened read-only; no other connection of this process may
    hold it open for writing meanwhile.
    """
    started = time.perf_counter()
    db_path = Path(db_path).resolve()
    root = (gx_root or default_gx_root()).resolve()
    results_dir = uncommitted_dir(root, uncommitted)
    _check_readable(db_path)
    with schema_assets_allowed():
        run_results, meter, day_scoped = _run_checkpoint(
            db_path, root, results_dir, sample_size, build_data_docs, rebuilt_from=rebuilt_from
        )
    report = _report(
        run_results, meter, results_dir, root, started, build_data_docs, db_path, str(db_path)
    )
    return _scoped(report, rebuilt_from, day_scoped)


def run_contract_on_server(
    settings: ServerSettings | None = None,
    *,
    build_data_docs: bool = True,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    gx_root: Path | None = None,
    uncommitted: Path | None = None,
    rebuilt_from: dt.date | None = None,
) -> ContractReport:
    """Validate the server warehouse (PostgreSQL; `settings` default to
    `REDCAT_PG_*`) against the same contract, as `run_contract` does a DuckDB file.

    Every expectation's query runs inside PostgreSQL (the queries are SQL both
    engines read); the build role's settings are the usual ones, since the BI
    role may not read the intermediate relations the contract checks.
    """
    from redcat.server import ServerSettings

    started = time.perf_counter()
    settings = settings or ServerSettings.from_env()
    root = (gx_root or default_gx_root()).resolve()
    results_dir = uncommitted_dir(root, uncommitted)
    with schema_assets_allowed(), warnings.catch_warnings():
        # GX suggests its PostgresDatasource; the generic one keeps the project one for both
        warnings.filterwarnings("ignore", message="You are using a generic SQLDatasource")
        run_results, meter, day_scoped = _run_checkpoint(
            None,
            root,
            results_dir,
            sample_size,
            build_data_docs,
            server_url=settings.sqlalchemy_url(),
            rebuilt_from=rebuilt_from,
        )
    report = _report(
        run_results, meter, results_dir, root, started, build_data_docs, None, settings.display()
    )
    return _scoped(report, rebuilt_from, day_scoped)


def _scoped(
    report: ContractReport, rebuilt_from: dt.date | None, day_scoped: tuple[str, ...]
) -> ContractReport:
    """The report, with the rows it read when they were those from a partition run's day on."""
    if rebuilt_from is None:
        return report
    return replace(report, rebuilt_from=rebuilt_from, day_scoped=day_scoped)


def _report(
    run_results: dict[Any, Any],
    meter: FetchMeter,
    results_dir: Path,
    root: Path,
    started: float,
    build_data_docs: bool,
    db_path: Path | None,
    warehouse: str,
) -> ContractReport:
    outcomes = [
        _outcome(result) for suite_result in run_results.values() for result in suite_result.results
    ]
    docs = data_docs_index(root, results_dir)
    return ContractReport(
        success=all(outcome.success for outcome in outcomes),
        results=outcomes,
        seconds=time.perf_counter() - started,
        data_docs_path=docs if build_data_docs and docs.is_file() else None,
        db_path=db_path,
        rows_fetched=meter.rows,
        queries=meter.queries,
        sample_size=meter.row_limit,
        warehouse=warehouse,
    )


def results_by_relation(
    report: ContractReport, *, key: str = "model"
) -> dict[str, list[ExpectationOutcome]]:
    """The report's outcomes grouped per relation, in report order.

    Keyed by dbt model name (`int_shop_links_resolved`), the name Dagster's dbt
    assets carry; `key="relation"` keys by `schema.name` instead.
    """
    if key not in ("model", "relation"):
        raise ValueError("key must be 'model' or 'relation'")
    grouped: dict[str, list[ExpectationOutcome]] = {}
    for outcome in report.results:
        grouped.setdefault(getattr(outcome, key), []).append(outcome)
    return grouped
