"""Shared fixtures: every test runs against its own temporary warehouse; the
warehouses the main job builds from the committed seeds and from generated data
are built once per test run, however many pytest-xdist workers share it.

Also a report of where the time goes: after the results, the wall time and the CPU
time of each test module (its tests, and the module and session fixtures they set up
first; CPU of the test process and of the commands it ran and waited for).
"""

from __future__ import annotations

import fcntl
import functools
import os
import pickle
import resource
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from redcat.warehouse import project_root

ROOT = project_root()
T = TypeVar("T")
# Debian's chromium, installed by `make system-packages` (scripts/system-packages.sh)
CHROMIUM = Path("/usr/bin/chromium")


# The longest modules, longest first (per-module times of `make test`): under
# pytest-xdist (`make test`, `--dist loadfile`) each worker takes the next whole
# module as it finishes one, so the long ones must not be left for last.
LONGEST_MODULES_FIRST = (
    "test_spark_engine.py",
    "test_orchestration.py",
    "test_dashboard_ui.py",
    "test_main_job.py",
    "test_server_warehouse.py",
    "test_generated_recovery.py",
    "test_incremental.py",
    "test_bench.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(LONGEST_MODULES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked `ui` need Debian's chromium: skipped without it (before any of
    their fixtures is set up), failed in CI. Marks the start of the setup's CPU time."""
    _mark_phase_start()
    if item.get_closest_marker("ui") is None or CHROMIUM.exists():
        return
    reason = (
        f"{CHROMIUM} is not installed: `make system-packages` installs Debian's chromium "
        "(needs root and apt-get)"
    )
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the warehouse, dbt's target and logs, and the contract's validation
    results and Data Docs at the test's tmp_path.

    No test can touch `warehouse/redcat.duckdb`, `target/` or the user's Data
    Docs in `gx/uncommitted/` by accident. Returns the warehouse path tests
    should use.
    """
    db_path = tmp_path / "env" / "warehouse.duckdb"
    monkeypatch.setenv("REDCAT_DUCKDB_PATH", str(db_path))
    monkeypatch.setenv("REDCAT_GX_UNCOMMITTED_DIR", str(tmp_path / "env" / "gx_uncommitted"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "env" / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "env" / "logs"))
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "false")
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    return db_path


@pytest.fixture
def db_path(isolated_env: Path) -> Path:
    """The test's own warehouse file (not created yet)."""
    return isolated_env


@pytest.fixture
def project_dir() -> Path:
    return ROOT


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], T]
) -> T:
    """`build(folder)` run once per test run, its result shared by every worker.

    Under pytest-xdist each worker is a process of its own: the first to ask
    builds into a folder of the run's shared temporary root, under a file lock,
    and pickles the result beside it; the others wait on the lock and unpickle
    it. Without xdist this is simply `build(folder)`.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return build(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent / "built_once"
    shared.mkdir(exist_ok=True)
    result = shared / f"{name}.pickle"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if result.is_file():
            loaded: T = pickle.loads(result.read_bytes())
            return loaded
        built = build(shared / name)
        result.write_bytes(pickle.dumps(built))
        return built


@pytest.fixture(scope="session")
def seeds_published(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The main job on the committed seeds, once per test run: warehouse and its publication.

    Shared by the semantic-layer, dashboard, contract and main-job tests
    (read-only: a test that rebuilds works on a copy).
    """
    from bi_support import build_and_publish

    return built_once(tmp_path_factory, "seeds_published", build_and_publish)


@pytest.fixture(scope="session")
def generated_published(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The main job on generated data (`GENERATED_SCALE`, `GENERATED_SEED`), once per
    test run; the generator's ground truth is in `<work>/raw/_truth/`.

    Shared by the recovery tests and the dashboard's rendering (read-only).
    """
    from bi_support import GENERATED_SCALE, GENERATED_SEED, generate_build_and_publish

    build = functools.partial(
        generate_build_and_publish, scale=GENERATED_SCALE, seed=GENERATED_SEED
    )
    return built_once(tmp_path_factory, "generated_published", build)


# --- time per test module -------------------------------------------------------------

_module_seconds: defaultdict[str, float] = defaultdict(float)
_module_cpu_seconds: defaultdict[str, float] = defaultdict(float)
_module_outcomes: defaultdict[str, Counter[str]] = defaultdict(Counter)
# the CPU time of this process and its waited-for children when a phase started
_phase_started_cpu = 0.0
CPU_SECONDS = "cpu_seconds"


def _cpu_seconds() -> float:
    """CPU time (user and system) of this process, all its threads, and the child
    processes it has waited for (dbt, redcat, Spark's JVM, ...)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _mark_phase_start() -> None:
    global _phase_started_cpu
    _phase_started_cpu = _cpu_seconds()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    _mark_phase_start()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    _mark_phase_start()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    # user_properties travel with the report from an xdist worker to the controller
    outcome.get_result().user_properties.append((CPU_SECONDS, _cpu_seconds() - _phase_started_cpu))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    module = report.nodeid.split("::", 1)[0]
    _module_seconds[module] += report.duration
    _module_cpu_seconds[module] += sum(
        value for name, value in report.user_properties if name == CPU_SECONDS
    )
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _module_outcomes[module][report.outcome] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _module_seconds:
        return
    terminalreporter.write_sep(
        "=", "time per test module, wall and CPU (fixtures count where first set up)"
    )
    for module, seconds in sorted(_module_seconds.items(), key=lambda item: -item[1]):
        outcomes = ", ".join(
            f"{n} {outcome}" for outcome, n in sorted(_module_outcomes[module].items())
        )
        cpu = _module_cpu_seconds[module]
        terminalreporter.write_line(f"{seconds:8.1f} s {cpu:8.1f} s CPU  {module}  ({outcomes})")
    terminalreporter.write_line(
        f"{sum(_module_seconds.values()):8.1f} s {sum(_module_cpu_seconds.values()):8.1f} s CPU"
        "  in all (summed over the xdist workers)"
    )
