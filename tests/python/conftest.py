"""Shared fixtures: every test runs against its own temporary warehouse; the
warehouse the main job builds from the committed seeds is built once per session.

Also a report of where the time goes: after the results, the time of each test
module (its tests, and the module and session fixtures they set up first).
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from redcat.warehouse import project_root

ROOT = project_root()
# Debian's chromium, installed by `make system-packages` (scripts/system-packages.sh)
CHROMIUM = Path("/usr/bin/chromium")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked `ui` need Debian's chromium: skipped without it (before any of
    their fixtures is set up), failed in CI."""
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


@pytest.fixture(scope="session")
def seeds_published(tmp_path_factory: pytest.TempPathFactory):
    """The main job on the committed seeds, once per session: warehouse and its publication.

    Shared by the semantic-layer and dashboard tests (read-only: a test that
    rebuilds works on a copy).
    """
    from bi_support import build_and_publish

    return build_and_publish(tmp_path_factory.mktemp("seeds_published"))


# --- time per test module -------------------------------------------------------------

_module_seconds: defaultdict[str, float] = defaultdict(float)
_module_outcomes: defaultdict[str, Counter[str]] = defaultdict(Counter)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    module = report.nodeid.split("::", 1)[0]
    _module_seconds[module] += report.duration
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _module_outcomes[module][report.outcome] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _module_seconds:
        return
    terminalreporter.write_sep("=", "time per test module (fixtures count where first set up)")
    for module, seconds in sorted(_module_seconds.items(), key=lambda item: -item[1]):
        outcomes = ", ".join(
            f"{n} {outcome}" for outcome, n in sorted(_module_outcomes[module].items())
        )
        terminalreporter.write_line(f"{seconds:8.1f} s  {module}  ({outcomes})")
    terminalreporter.write_line(f"{sum(_module_seconds.values()):8.1f} s  in all")
