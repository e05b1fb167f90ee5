"""`redcat run`: the main job, executed in process as the Dagster job `redcat_run`.

The pipeline is defined once, as the asset graph of `orchestration/`:

    raw data -> staging and intermediate -> publish gates + data contract -> marts -> publish

`run()` builds those definitions (with the run's `--vars`), executes the job
`redcat_run` in this process (on an in-memory Dagster instance, or with
`record_run` on the warehouse's own, `warehouse/dagster/`, so the run shows
in the UI), and turns the outcome into a `RunReport` or an error:

- `RawInputError`: the raw directory was rejected (nothing loaded);
- `PublishGateError`: a raw table was mostly quarantined, empty or fell in
  volume (the marts were not built, the publication is unchanged);
- `ContractViolation`: the data contract failed (same);
- `PipelineStepError`: any other step failed (a dbt test, say); the message
  names the step and the log file.

Three sources of raw data: the committed dbt seeds (default), `raw_dir`, or
data generated at `scale` into `data/generated/sf<SF>_seed<N>/` (reused when
it holds that generation). Library logging (Dagster, dbt, Great
Expectations) goes to `warehouse/logs/redcat-run.log`; the terminal shows the
progress display and, last, the summary.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redcat.errors import ExitStatus, RedcatError
from redcat.load import DEFAULT_ENCODING, LoadReport, RawInputError
from redcat.pipeline import (
    DEFAULT_SEED,
    CatalogError,
    GateReport,
    PublishGateError,
    RawData,
    RawRequest,
    dbt_environment,
    list_relations,
    temporary_environment,
)
from redcat.pipeline.observer import (
    STEP_CONTRACT,
    STEP_GATES,
    STEP_MARTS,
    STEP_PUBLISH,
    STEP_RAW,
    STEP_WAREHOUSE,
)
from redcat.pipeline.project import DbtParseError
from redcat.publish import Publication
from redcat.warehouse import project_root, warehouse_path

LOG_DIR = "logs"
LOG_FILE = "redcat-run.log"

# Schemas whose relation names are printed (the others are counted), and the
# helper relations left out of those lists.
LISTED_SCHEMAS = ("marts", "staging")
HELPER_PREFIXES = ("base_",)
# Preferred relations for the query example, first match wins.
EXAMPLE_RELATIONS = (
    "marts.fct_note_daily",
    "marts.fct_conversions",
    "staging.stg_xhs__note_events",
    "staging.stg_tb__orders",
)

Printer = Callable[[str], None]


class ContractViolation(Exception):
    """The data contract failed: the marts were not built. Carries the report."""

    def __init__(self, report: Any) -> None:
        super().__init__(report.format())
        self.report = report


class PipelineStepError(RedcatError, RuntimeError):
    """A step of the pipeline failed for another reason than a gate or the contract."""

    exit_status = ExitStatus.BUILD_FAILED


@dataclass(frozen=True)
class RunReport:
    db_path: Path
    raw_source: str  # "seeds", or the raw directory that was loaded
    load: LoadReport | None
    generation: Any | None  # redcat.generate.GenerationReport when data was generated
    dbt_seconds: float  # from the first dbt step to the publication
    contract: Any | None = None  # redcat.contract_checks.ContractReport
    publication: Publication | None = None
    gates: GateReport | None = None
    seconds: float = 0.0  # the whole run
    log_path: Path | None = None


def log_path(db_path: Path) -> Path:
    """Where a run's library logging goes: `logs/redcat-run.log` beside the warehouse."""
    return Path(db_path).resolve().parent / LOG_DIR / LOG_FILE


@contextlib.contextmanager
def libraries_logging_to(path: Path) -> Iterator[None]:
    """Send Python logging, warnings and anything written to stdout/stderr to `path`.

    The terminal keeps only what writes to the streams saved before (the
    progress display); the handlers of the root logger are set aside meanwhile.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    with path.open("w", encoding="utf-8") as log_file:
        handler = logging.StreamHandler(log_file)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.handlers = [handler]
        root.setLevel(logging.INFO)
        logging.captureWarnings(True)
        try:
            with (
                contextlib.redirect_stdout(log_file),
                contextlib.redirect_stderr(log_file),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("default")
                yield
        finally:
            logging.captureWarnings(False)
            root.handlers, root.level = saved_handlers, saved_level


def _raw_request(
    raw_dir: Path | None, scale: float | None, seed: int, encoding: str = DEFAULT_ENCODING
) -> RawRequest:
    if raw_dir is not None and scale is not None:
        raise ValueError("give either raw_dir or scale, not both")
    if scale is not None:
        return RawRequest(source="generate", scale=scale, seed=seed)
    if raw_dir is not None:
        return RawRequest(source="load", raw_dir=Path(raw_dir), encoding=encoding)
    return RawRequest(source="sample")


def _gate_or_contract_failed(display: Any) -> bool:
    gates = display.results.get(STEP_GATES)
    contract = display.results.get(STEP_CONTRACT)
    return (gates is not None and not gates.success) or (
        contract is not None and not getattr(contract, "success", False)
    )


def run(
    *,
    raw_dir: Path | None = None,
    scale: float | None = None,
    seed: int = DEFAULT_SEED,
    db_path: Path | None = None,
    root: Path | None = None,
    gx_root: Path | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
    accept_volume_change: Sequence[str] = (),
    quiet: bool = False,
    record_run: bool = False,
    echo: Printer | None = None,
    stream: Any = None,
    encoding: str = DEFAULT_ENCODING,
) -> RunReport:
    """The main job: the raw data, then the pipeline, then the publication for BI.

    Progress goes to `stream` (default: stdout; a live display on a terminal
    unless `quiet`), the summary to `echo` (default: print to `stream`).
    `record_run` keeps the run in the warehouse's Dagster instance
    (`warehouse/dagster/`, listed by the UI); by default the run's events stay
    in memory, since writing its 1,200-odd events to SQLite one by one costs
    more than the rest of Dagster's part in the run.
    """
    from orchestration.main_job import execute_main_job
    from redcat.display import RunDisplay

    started = time.perf_counter()
    request = _raw_request(raw_dir, scale, seed, encoding)
    root = root or project_root()
    db_path = Path(db_path or warehouse_path(root)).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    stream = stream or sys.stdout
    echo = echo or (lambda line: print(line, file=stream, flush=True))
    live = not quiet and bool(getattr(stream, "isatty", lambda: False)())
    display = RunDisplay(stream, live=live)
    log = log_path(db_path)
    try:
        with temporary_environment(dbt_environment(db_path)), libraries_logging_to(log):
            succeeded = execute_main_job(
                request,
                db_path,
                observer=display,
                gx_root=gx_root,
                dbt_vars=dbt_vars,
                accept_volume_change=accept_volume_change,
                persistent=record_run,
            )
    except (RawInputError, DbtParseError, CatalogError):
        raise
    except Exception as error:
        if not _gate_or_contract_failed(display):
            raise PipelineStepError(f"{error}\nThe run's whole log: {log}") from error
        succeeded = False
    finally:
        display.close()
    gates = display.results.get(STEP_GATES)
    contract = display.results.get(STEP_CONTRACT)
    if gates is not None and not gates.success:
        raise PublishGateError(gates)
    if contract is not None and not getattr(contract, "success", False):
        raise ContractViolation(contract)
    if not succeeded:
        raise PipelineStepError(f"the pipeline failed; see {log}")
    raw: RawData = display.results[STEP_RAW]
    build_seconds = sum(
        display.seconds.get(step, 0.0)
        for step in (STEP_WAREHOUSE, STEP_GATES, STEP_CONTRACT, STEP_MARTS, STEP_PUBLISH)
    )
    report = RunReport(
        db_path=db_path,
        raw_source="seeds" if raw.load is None else raw.description,
        load=raw.load,
        generation=raw.generation,
        dbt_seconds=build_seconds,
        contract=contract,
        publication=display.results.get(STEP_PUBLISH),
        gates=gates,
        seconds=time.perf_counter() - started,
        log_path=log,
    )
    print_summary(report, echo)
    return report


def _python_command() -> str:
    python = Path(sys.executable)
    try:
        return str(python.relative_to(Path.cwd()))
    except ValueError:
        return str(python)


def _shown(path: Path) -> str:
    """`path` relative to the current folder when it is inside it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def query_example(db_path: Path, relations: dict[str, list[str]]) -> str | None:
    """A shell one-liner that reads one existing mart (or staging) relation."""
    existing = {f"{schema}.{name}" for schema, names in relations.items() for name in names}
    candidates = [r for r in EXAMPLE_RELATIONS if r in existing]
    for schema in ("marts", "staging"):
        names = relations.get(schema, [])
        # modelled relations (fct_, mart_, dim_, stg_) before helpers such as base_ views
        names = sorted(names, key=lambda n: not n.startswith(("fct_", "mart_", "dim_", "stg_")))
        candidates += [f"{schema}.{name}" for name in names]
    if not candidates:
        return None
    sql = f"select * from {candidates[0]} limit 10"
    return (
        f'{_python_command()} -c "import duckdb; '
        f"con = duckdb.connect('{db_path}', read_only=True); "
        f"print(con.sql('{sql}'))\""
    )


def describe_warehouse(db_path: Path, echo: Printer = print) -> None:
    """Print where the warehouse is, what it holds and how to query it."""
    relations = list_relations(db_path)
    echo(f"Warehouse: {db_path}")
    for schema, names in relations.items():
        if schema in LISTED_SCHEMAS:
            shown = [n for n in names if not n.startswith(HELPER_PREFIXES)]
            helpers = len(names) - len(shown)
            more = f" (and {helpers} base_ views)" if helpers else ""
            echo(f"  {schema} ({len(names)}): {', '.join(shown)}{more}")
        else:
            echo(f"  {schema}: {len(names)} relations")
    example = query_example(db_path, relations)
    if example:
        echo("Query it (read-only, while no build is running):")
        echo(f"  {example}")


def print_summary(report: RunReport, echo: Printer = print) -> None:
    """The run's summary: the last thing `redcat run` prints."""
    echo("")
    echo(f"redcat run finished in {report.seconds:.1f} s")
    describe_warehouse(report.db_path, echo)
    marts = report.publication.rows_per_relation if report.publication is not None else {}
    if marts:
        echo(f"  rows in marts: {sum(marts.values()):,} in {len(marts)} relations")
    if report.gates is not None:
        quarantined = [v for v in report.gates.volumes if v.quarantined_rows]
        listed = ", ".join(f"{v.key} {v.quarantined_rows:,} of {v.raw_rows:,}" for v in quarantined)
        echo(f"Quarantined rows: {listed or 'none'} (staging.stg_quarantine__rejected_rows)")
        echo(f"Publish gates: passed on {len(report.gates.volumes)} raw tables")
    if report.contract is not None:
        echo(report.contract.format().splitlines()[0])
        if report.contract.data_docs_path is not None:
            echo(f"Data Docs: {_shown(report.contract.data_docs_path)}")
    if report.publication is not None:
        echo(
            f"Published for BI: {_shown(report.publication.database)} (duckdb >= 1.0) "
            f"and {_shown(report.publication.parquet_dir)}/"
        )
    if report.log_path is not None:
        echo(f"Log (dbt, Dagster, Great Expectations): {_shown(report.log_path)}")
