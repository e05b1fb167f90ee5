"""`redcat bench`: what a build costs at a scale, against what reading the data costs.

One run, in one fresh temporary folder (raw files, warehouse, dbt target and
logs, GX project), so nothing is reused from an earlier run and the real
warehouse is left alone:

1. generate the raw directory for (scale, seed), in a child process;
2. T_floor: DuckDB reads every raw file once and materialises it as a table
   of a fresh file database (a child process, same DuckDB settings as the
   warehouse); the cost no build of this data can go below;
3. `dbt parse` of the project into the fresh target folder (a fresh clone's
   first run pays it once; later runs reuse it);
4. the full run: the main job `redcat_run` (what `redcat run --raw-dir` does):
   load, staging and intermediate, publish gates, contract, marts, publish,
   each step timed through the pipeline's observer; dbt's `run_results.json`
   gives every node's time (the ten slowest are listed, the tests summed);
5. the day run: the Dagster job `warehouse_daily` for the last data day,
   after the full run (its window plus the models' lookbacks).

Peak RSS is sampled from `/proc` over this process and all its children
(dbt runs in a child process) during each run. The ratios: full run ÷
T_floor, day run ÷ full run, contract ÷ build (the two dbt builds), warehouse
file ÷ raw files. `--json PATH` writes every figure.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from redcat.errors import ExitStatus, RedcatError
from redcat.load import quote_ident
from redcat.pipeline.observer import (
    STEP_CONTRACT,
    STEP_GATES,
    STEP_MARTS,
    STEP_PUBLISH,
    STEP_RAW,
    STEP_WAREHOUSE,
    PipelineObserver,
)
from redcat.pipeline.raw import DEFAULT_SEED, scale_label
from redcat.warehouse import DUCKDB_PATH_ENV, connect, duckdb_settings, project_root

DEFAULT_BENCH_SCALE = 0.1
SLOWEST_NODES = 10
# The pipeline's steps, as the bench names them.
PHASES = {
    STEP_RAW: "load",
    STEP_WAREHOUSE: "staging_intermediate",
    STEP_GATES: "gates",
    STEP_CONTRACT: "contract",
    STEP_MARTS: "marts",
    STEP_PUBLISH: "publish",
}
BUILD_PHASES = ("staging_intermediate", "marts")
# dbt's log line when it throws its partial-parse state away and parses cold
COLD_PARSE_MARKERS = ("Unable to do partial parsing", "Partial parse save file not found")

Printer = Callable[[str], None]


class BenchError(RedcatError, RuntimeError):
    """A step of the benchmark failed; the message says which, with dbt's errors."""

    exit_status = ExitStatus.BUILD_FAILED


# --- peak RSS of the process tree -------------------------------------------------


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident bytes), for every process `/proc` shows."""
    page = os.sysconf("SC_PAGE_SIZE")
    table: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the command: state, ppid, ... rss is field 24 of stat (index 21 here)
        table[int(entry.name)] = (int(fields[1]), int(fields[21]) * page)
    return table


def tree_rss(root: int) -> int:
    """Resident bytes of process `root` and all its descendants, now."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += table.get(pid, (0, 0))[1]
        stack.extend(children.get(pid, ()))
    return total


class PeakRss:
    """Samples the resident memory of this process and its children until stopped."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="redcat-bench-rss", daemon=True)

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, tree_rss(os.getpid()))
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> PeakRss:
        if Path("/proc/self/stat").is_file():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()


# --- what the pipeline's steps report ---------------------------------------------


class StepTimer(PipelineObserver):
    """Wall time of each step (first start to finish) and the dbt builds' run results."""

    def __init__(self) -> None:
        self.started_at: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self.run_results: dict[str, Mapping[str, Any]] = {}

    def started(self, step: str, total: int | None = None) -> None:
        self.started_at.setdefault(step, time.perf_counter())

    def finished(self, step: str, result: Any = None) -> None:
        self.seconds[step] = time.perf_counter() - self.started_at.get(step, time.perf_counter())
        if step in (STEP_WAREHOUSE, STEP_MARTS) and isinstance(result, Mapping):
            self.run_results[step] = result

    def phases(self) -> dict[str, float]:
        return {PHASES[step]: round(s, 3) for step, s in self.seconds.items() if step in PHASES}

    def nodes(self) -> list[dict[str, Any]]:
        """Every dbt node of the run's builds: unique id, seconds, status."""
        return [
            {
                "unique_id": str(result["unique_id"]),
                "seconds": round(float(result.get("execution_time") or 0.0), 3),
                "status": str(result.get("status")),
            }
            for step in (STEP_WAREHOUSE, STEP_MARTS)
            for result in self.run_results.get(step, {}).get("results", [])
        ]


def tests_seconds(nodes: list[dict[str, Any]]) -> float:
    """dbt's time in data and unit tests (sum over nodes; two threads may overlap)."""
    seconds: float = sum(
        n["seconds"] for n in nodes if n["unique_id"].startswith(("test.", "unit_test."))
    )
    return round(seconds, 3)


def slowest(nodes: list[dict[str, Any]], count: int = SLOWEST_NODES) -> list[dict[str, Any]]:
    return sorted(nodes, key=lambda n: (-n["seconds"], n["unique_id"]))[:count]


# --- the figures --------------------------------------------------------------------


@dataclass
class RunFigures:
    """One pipeline run: wall time, its steps, dbt nodes, peak RSS, cold dbt parses."""

    seconds: float
    phases: dict[str, float]
    nodes: list[dict[str, Any]]
    peak_rss_bytes: int
    dbt_cold_parses: int

    def as_json(self) -> dict[str, Any]:
        build = sum(self.phases.get(p, 0.0) for p in BUILD_PHASES)
        return {
            "seconds": round(self.seconds, 3),
            "phases": self.phases,
            "build_seconds": round(build, 3),
            "tests_seconds": tests_seconds(self.nodes),
            "dbt_nodes": len(self.nodes),
            "slowest_nodes": slowest(self.nodes),
            "peak_rss_bytes": self.peak_rss_bytes,
            "dbt_cold_parses": self.dbt_cold_parses,
        }


@dataclass
class BenchReport:
    scale: float
    seed: int
    generated_rows: int
    generate_seconds: float
    floor_seconds: float
    parse_seconds: float
    raw_bytes: int
    warehouse_bytes: int
    full_run: RunFigures
    day_run: RunFigures
    day_partition: str
    largest_staging: tuple[str | None, int] = (None, 0)
    machine: dict[str, Any] = field(default_factory=dict)

    def ratios(self) -> dict[str, float | None]:
        """The ratios, from the figures as reported (rounded to the millisecond)."""
        full, day = self.full_run.as_json(), self.day_run.as_json()
        return {
            "full_run_over_floor": _ratio(full["seconds"], round(self.floor_seconds, 3)),
            "day_run_over_full_run": _ratio(day["seconds"], full["seconds"]),
            "contract_over_build": _ratio(
                full["phases"].get("contract", 0.0), full["build_seconds"]
            ),
            "warehouse_over_raw": _ratio(self.warehouse_bytes, self.raw_bytes),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "seed": self.seed,
            "machine": self.machine,
            "generate": {
                "rows": self.generated_rows,
                "seconds": round(self.generate_seconds, 3),
                "rows_per_second": _ratio(self.generated_rows, self.generate_seconds),
            },
            "floor_seconds": round(self.floor_seconds, 3),
            "parse_seconds": round(self.parse_seconds, 3),
            "full_run": self.full_run.as_json(),
            "day_run": {"partition": self.day_partition, **self.day_run.as_json()},
            "bytes": {"raw": self.raw_bytes, "warehouse": self.warehouse_bytes},
            "largest_staging": {
                "relation": self.largest_staging[0],
                "rows": self.largest_staging[1],
            },
            "ratios": self.ratios(),
        }


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


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


# --- the steps ----------------------------------------------------------------------

_GENERATE = """
import json, sys
from pathlib import Path
from redcat.generate import write_raw_dir
report = write_raw_dir(Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), progress=False)
print(json.dumps({"rows": report.total_rows, "seconds": report.seconds}))
"""

_FLOOR = """
import json, sys, time
import duckdb
from redcat.contract import RAW_TABLES
from redcat.warehouse import duckdb_settings
raw_dir, db_path = sys.argv[1], sys.argv[2]
started = time.perf_counter()
with duckdb.connect(db_path, config=duckdb_settings(db_path)) as con:
    for table in RAW_TABLES:
        path = str(table.path(__import__("pathlib").Path(raw_dir)))
        reader = "read_parquet" if path.endswith(".parquet") else "read_csv"
        con.execute(f"create table {table.relation} as select * from {reader}(?)", [path])
    con.execute("checkpoint")
print(json.dumps({"seconds": time.perf_counter() - started}))
"""


def _child(script: str, *args: str) -> dict[str, Any]:
    """Run a Python snippet in a child process with this interpreter; its JSON answer."""
    completed = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        tail = "\n".join(completed.stderr.strip().splitlines()[-5:])
        raise BenchError(f"bench step failed (exit {completed.returncode}):\n{tail}")
    answer: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return answer


def cold_parses(work: Path) -> int:
    """Cold dbt parses logged so far in the `dbt.log` files under `work`.

    dagster-dbt gives each dbt call a target folder of its own, and its log
    goes there (`DBT_LOG_PATH`); `dbt parse` logs to `work/logs`.
    """
    count = 0
    for log in Path(work).rglob("dbt.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        count += sum(text.count(marker) for marker in COLD_PARSE_MARKERS)
    return count


def dbt_errors(work: Path, limit: int = 5) -> list[str]:
    """The first error lines dbt logged (JSON log lines of level `error`) under `work`."""
    found: list[str] = []
    for log in sorted(Path(work).rglob("dbt.log")):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if '"level": "error"' not in line:
                continue
            try:
                message = str(json.loads(line)["info"]["msg"])
            except (ValueError, KeyError, TypeError):
                message = line
            found.append(" ".join(message.split())[:400])
            if len(found) >= limit:
                return found
    return found


def bench_environment(work: Path) -> dict[str, str | None]:
    """The warehouse, dbt's target and logs inside `work`, on dbt's default target."""
    return {
        DUCKDB_PATH_ENV: str(work / "warehouse" / "redcat.duckdb"),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_TARGET": None,
    }


def _execute(
    job_name: str,
    db_path: Path,
    gx_root: Path,
    work: Path,
    run_config: Mapping[str, Any] | None = None,
) -> tuple[RunFigures, str]:
    """Execute a job of the definitions in process over the last partition; its figures."""
    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.instance import ephemeral_instance
    from orchestration.resources import ContractResource, PublishGatesResource, WarehouseResource

    timer = StepTimer()
    parses_before = cold_parses(work)
    started = time.perf_counter()
    with PeakRss() as rss:
        defs = build_definitions(
            resources={
                "warehouse": WarehouseResource(db_path=str(db_path)),
                "contract": ContractResource(gx_root=str(gx_root)),
                "publish_gates": PublishGatesResource(),
                "observer": timer,
            }
        )
        job = defs.resolve_job_def(job_name)
        partitions = next(
            spec.partitions_def
            for spec in defs.resolve_all_asset_specs()
            if spec.partitions_def is not None
        )
        partition = partitions.get_last_partition_key()
        assert partition is not None
        with ephemeral_instance() as instance:
            result = job.execute_in_process(
                run_config=dict(run_config or {}),
                instance=instance,
                partition_key=partition,
                raise_on_error=False,
            )
    seconds = time.perf_counter() - started
    if not result.success:
        failed = [e.message for e in result.all_events if e.is_failure]
        reasons = "\n".join(dbt_errors(work))
        raise BenchError(f"{job_name} failed: {(failed or ['see the log'])[0]}\n{reasons}")
    if not isinstance(result, dg.ExecuteInProcessResult):  # pragma: no cover
        raise TypeError(type(result))
    parses = cold_parses(work) - parses_before
    figures = RunFigures(
        seconds=seconds,
        phases=timer.phases(),
        nodes=timer.nodes(),
        peak_rss_bytes=rss.peak,
        dbt_cold_parses=parses,
    )
    return figures, partition


def bench(
    scale: float = DEFAULT_BENCH_SCALE,
    seed: int = DEFAULT_SEED,
    *,
    root: Path | None = None,
    echo: Printer = print,
    json_path: Path | None = None,
) -> BenchReport:
    """Measure generation, T_floor, the full run and the day run at `scale`; print the figures."""
    from orchestration.main_job import raw_data_config
    from redcat.pipeline import (
        RawRequest,
        dbt_project_paths,
        prepare_manifest,
        temporary_environment,
    )
    from redcat.run import libraries_logging_to

    root = root or project_root()
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="redcat-bench-") as tmp:
        work = Path(tmp)
        raw_dir = work / "raw"
        echo(f"redcat bench: scale {scale_label(scale)}, seed {seed}, in {work}")

        generation = _child(_GENERATE, str(raw_dir), repr(scale), str(seed))
        rows = int(generation["rows"])
        echo(f"  generated {rows:,} rows in {generation['seconds']:.1f} s")
        shutil.rmtree(raw_dir / "_truth", ignore_errors=True)
        raw_bytes = folder_bytes(raw_dir)

        floor_db = work / "floor.duckdb"
        floor = float(_child(_FLOOR, str(raw_dir), str(floor_db))["seconds"])
        floor_db.unlink()
        echo(f"  T_floor (DuckDB reads every raw file once into a file database): {floor:.1f} s")

        gx_root = work / "gx"
        shutil.copytree(root / "gx", gx_root, ignore=shutil.ignore_patterns("uncommitted"))
        env = bench_environment(work)
        db_path = Path(str(env[DUCKDB_PATH_ENV]))
        db_path.parent.mkdir(parents=True)
        with temporary_environment(env), libraries_logging_to(work / "logs" / "run.log"):
            started = time.perf_counter()
            prepare_manifest(dbt_project_paths(root))
            parse = time.perf_counter() - started
            request = RawRequest(source="load", raw_dir=raw_dir)
            full, _ = _execute("redcat_run", db_path, gx_root, work, raw_data_config(request))
            warehouse_bytes = db_path.stat().st_size
            largest = largest_staging_relation(db_path)
            day, partition = _execute("warehouse_daily", db_path, gx_root, work)
        echo(f"  full run {full.seconds:.1f} s, day run ({partition}) {day.seconds:.1f} s")

    report = BenchReport(
        scale=scale,
        seed=seed,
        generated_rows=rows,
        generate_seconds=float(generation["seconds"]),
        floor_seconds=floor,
        parse_seconds=parse,
        raw_bytes=raw_bytes,
        warehouse_bytes=warehouse_bytes,
        full_run=full,
        day_run=day,
        day_partition=partition,
        largest_staging=largest,
        machine={
            "cpus": os.cpu_count(),
            "load_average_start": [round(x, 2) for x in load_start],
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
            "duckdb_settings": {
                k: v for k, v in duckdb_settings(None).items() if k != "temp_directory"
            },
        },
    )
    print_report(report, echo)
    if json_path is not None:
        Path(json_path).write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
        echo(f"Figures written to {json_path}")
    return report


# --- the printout -------------------------------------------------------------------


def _gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def print_report(report: BenchReport, echo: Printer = print) -> None:
    data = report.as_json()
    full, day, ratios = data["full_run"], data["day_run"], data["ratios"]
    machine = data["machine"]
    echo("")
    echo(
        f"redcat bench: scale {scale_label(report.scale)}, seed {report.seed}, "
        f"{machine['cpus']} CPUs, load {machine['load_average_start'][0]:.2f} -> "
        f"{machine['load_average_end'][0]:.2f}, duckdb {machine['duckdb']}"
    )
    generate = data["generate"]
    echo(
        f"  {'generate':<22} {generate['seconds']:>9.1f} s   {generate['rows']:,} rows, "
        f"{generate['rows_per_second'] or 0:,.0f} rows/s"
    )
    echo(f"  {'T_floor':<22} {data['floor_seconds']:>9.1f} s")
    echo(f"  {'dbt parse (cold)':<22} {data['parse_seconds']:>9.1f} s")
    echo(f"  {'full run':<22} {full['seconds']:>9.1f} s   peak RSS {_gib(full['peak_rss_bytes'])}")
    for phase, seconds in full["phases"].items():
        echo(f"    {phase:<20} {seconds:>9.1f} s")
    echo(f"    {'(dbt tests, summed)':<20} {full['tests_seconds']:>9.1f} s")
    echo(
        f"  {'day run ' + day['partition']:<22} {day['seconds']:>9.1f} s   "
        f"peak RSS {_gib(day['peak_rss_bytes'])}, cold dbt parses {day['dbt_cold_parses']}"
    )
    for phase, seconds in day["phases"].items():
        echo(f"    {phase:<20} {seconds:>9.1f} s")
    echo(
        f"  {'warehouse file':<22} {_gib(data['bytes']['warehouse']):>11}   "
        f"raw files {_gib(data['bytes']['raw'])}"
    )
    largest = data["largest_staging"]
    echo(
        f"  {'largest staging':<22} {largest['rows']:>11,} rows "
        f"{largest['relation'] or 'no stg_ relation'}"
    )
    echo(f"  slowest dbt nodes of the full run ({full['dbt_nodes']} nodes):")
    for node in full["slowest_nodes"]:
        echo(f"    {node['seconds']:>8.1f} s  {node['unique_id']}")
    echo("  ratios:")
    for name, value in ratios.items():
        shown = "n/a" if value is None else f"{value:.3f}"
        echo(f"    {name:<24} {shown:>9}")
