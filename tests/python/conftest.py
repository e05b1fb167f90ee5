"""Shared fixtures: every test runs against its own temporary warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from redcat.warehouse import project_root

ROOT = project_root()


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
