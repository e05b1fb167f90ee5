"""The dbt project as the pipeline sees it: where its artefacts go, and a current manifest.

The project is the repository root (`dbt_project.yml`, `profiles.yml`). Its
artefacts go to `DBT_TARGET_PATH` (default `<root>/target`), the folder plain
`dbt build` uses too, so a `redcat run` and a `dbt build` by hand share dbt's
partial parsing: the pipeline passes no `--vars` and no `--target` unless it
was given some, and names the warehouse to dbt exactly as a plain `dbt` call
would (see `dbt_environment`). A run given `--vars` parses into a folder of
its own (`<target>/vars-<digest>/`), so it never invalidates the shared one.

`prepare_manifest()` runs `dbt parse` only when `manifest.json` is missing or
older than the project files it was parsed from (models, macros, seeds,
tests, `dbt_project.yml`, `profiles.yml`): a fingerprint of their paths, sizes
and modification times, the vars and the target is kept beside the manifest,
so an unchanged project costs milliseconds and no parse at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from redcat.errors import ExitStatus, RedcatError
from redcat.warehouse import DBT_ENTRY_POINT, DUCKDB_PATH_ENV, project_root, warehouse_path

DBT_TARGET_ENV = "DBT_TARGET"
# The pipeline's two dbt builds: everything but the marts before the contract
# gate, the marts after it.
MARTS_SELECTION = "path:models/marts"
BUILD_BEFORE_CONTRACT = ("build", "--exclude", MARTS_SELECTION)
BUILD_MARTS = ("build", "--select", MARTS_SELECTION)
DBT_TARGET_PATH_ENV = "DBT_TARGET_PATH"
FINGERPRINT_FILE = "manifest.fingerprint"
MANIFEST_FILE = "manifest.json"

# Project files outside the dbt source folders that change what `dbt parse` produces.
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")
PATH_KEYS = ("model-paths", "macro-paths", "seed-paths", "test-paths", "snapshot-paths")
# what dbt reads in those folders (and .py, in model-paths only: Python models)
PARSED_SUFFIXES = frozenset({".sql", ".yml", ".yaml", ".csv", ".md"})


class DbtParseError(RedcatError, RuntimeError):
    """`dbt parse` failed: the project does not compile (its output says why)."""

    exit_status = ExitStatus.BUILD_FAILED


@dataclass(frozen=True)
class DbtProjectPaths:
    """The dbt project folder, the target folder its artefacts go to, target and vars."""

    project_dir: Path
    target_path: Path
    target: str | None = None  # the profile target; None: the profile's default
    dbt_vars: Mapping[str, Any] = field(default_factory=dict)

    @property
    def manifest_path(self) -> Path:
        return self.target_path / MANIFEST_FILE

    @property
    def vars_argument(self) -> list[str]:
        """`["--vars", "<json>"]`, or nothing when the run has no vars of its own."""
        return ["--vars", json.dumps(dict(self.dbt_vars), sort_keys=True)] if self.dbt_vars else []

    @property
    def target_argument(self) -> list[str]:
        return ["--target", self.target] if self.target else []


def shared_target_path(project_dir: Path) -> Path:
    """`DBT_TARGET_PATH` (relative to the project folder) or `<root>/target`, absolute."""
    configured = os.environ.get(DBT_TARGET_PATH_ENV, "").strip()
    path = Path(configured) if configured else Path("target")
    return path if path.is_absolute() else project_dir / path


def vars_digest(dbt_vars: Mapping[str, Any]) -> str:
    """A short, order-free digest of a set of vars (the name of their target folder)."""
    text = json.dumps(dict(dbt_vars), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def dbt_project_paths(
    project_dir: Path | None = None, dbt_vars: Mapping[str, Any] | None = None
) -> DbtProjectPaths:
    """The project for the current environment (`DBT_TARGET`, `DBT_TARGET_PATH`) and vars."""
    root = project_dir or project_root()
    shared = shared_target_path(root)
    chosen_vars = dict(dbt_vars or {})
    target_path = shared / f"vars-{vars_digest(chosen_vars)}" if chosen_vars else shared
    return DbtProjectPaths(
        project_dir=root,
        target_path=target_path,
        target=os.environ.get(DBT_TARGET_ENV) or None,
        dbt_vars=chosen_vars,
    )


def dbt_environment(db_path: Path | None = None) -> dict[str, str]:
    """Variables a dbt call of the pipeline needs on top of the current environment.

    dbt's partial parsing is thrown away when the profile's connection changes,
    and the warehouse path is part of it. So the path is set only when the
    pipeline writes somewhere a plain `dbt` call would not: with the default
    warehouse (and `REDCAT_DUCKDB_PATH` as the user left it) nothing is set.
    """
    if db_path is None:
        return {}
    target = Path(db_path).resolve()
    configured = os.environ.get(DUCKDB_PATH_ENV, "").strip()
    if target == warehouse_path():
        return {}
    if configured and Path(configured).expanduser().resolve() == target:
        return {}
    return {DUCKDB_PATH_ENV: str(target)}


@contextmanager
def temporary_environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """`values` in this process's environment meanwhile (None: unset), restored after.

    dbt's child processes (dagster-dbt's included) start with a copy of it."""
    saved = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _source_dirs(project_dir: Path) -> list[tuple[str, Path]]:
    config = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return [(key, project_dir / name) for key in PATH_KEYS for name in config.get(key) or []]


def _project_files(project_dir: Path) -> Iterable[Path]:
    """The files dbt parses: the project files, and in its folders the SQL, YAML, seed
    CSV and docs Markdown files, and Python models. Not the rest of the folders (this
    project's tests/ also holds pytest's modules and the bytecode they compile to)."""
    for name in PROJECT_FILES:
        path = project_dir / name
        if path.is_file():
            yield path
    for key, folder in _source_dirs(project_dir):
        suffixes = PARSED_SUFFIXES | ({".py"} if key == "model-paths" else set())
        if folder.is_dir():
            yield from (p for p in folder.rglob("*") if p.suffix in suffixes and p.is_file())


def project_fingerprint(project: DbtProjectPaths) -> str:
    """A digest of every parsed file's path, size and modification time, the target and vars."""
    digest = hashlib.sha256()
    digest.update(f"target={project.target or ''}\n".encode())
    digest.update(f"vars={json.dumps(dict(project.dbt_vars), sort_keys=True)}\n".encode())
    for path in sorted(_project_files(project.project_dir)):
        stat = path.stat()
        relative = path.relative_to(project.project_dir)
        digest.update(f"{relative}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _fingerprint_path(project: DbtProjectPaths) -> Path:
    return project.target_path / FINGERPRINT_FILE


def manifest_is_current(project: DbtProjectPaths) -> bool:
    """True when the manifest exists and was parsed from the project files as they are now."""
    stamp = _fingerprint_path(project)
    if not project.manifest_path.is_file() or not stamp.is_file():
        return False
    return stamp.read_text(encoding="utf-8").strip() == project_fingerprint(project)


def dbt_command(args: list[str]) -> list[str]:
    """`dbt <args>` run by this interpreter (the one redcat is installed in)."""
    return [sys.executable, "-c", DBT_ENTRY_POINT, *args]


def prepare_manifest(project: DbtProjectPaths) -> bool:
    """Parse the project (`dbt parse`) if its manifest is not current; True when it parsed.

    dbt's output goes to its log file (`DBT_LOG_PATH`), not the terminal; a
    failed parse raises `DbtParseError` with dbt's last lines.
    """
    if manifest_is_current(project):
        return False
    fingerprint = project_fingerprint(project)
    project.target_path.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        dbt_command(
            [
                "parse",
                *project.vars_argument,
                *project.target_argument,
                "--project-dir",
                str(project.project_dir),
                "--profiles-dir",
                str(project.project_dir),
            ]
        ),
        cwd=project.project_dir,
        env={**os.environ, DBT_TARGET_PATH_ENV: str(project.target_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-15:])
        raise DbtParseError(f"`dbt parse` failed with exit code {completed.returncode}:\n{tail}")
    _fingerprint_path(project).write_text(fingerprint + "\n", encoding="utf-8")
    return True


def load_manifest(project: DbtProjectPaths) -> dict[str, Any]:
    """The project's `manifest.json`, parsed first when stale."""
    prepare_manifest(project)
    manifest: dict[str, Any] = json.loads(project.manifest_path.read_text(encoding="utf-8"))
    return manifest
