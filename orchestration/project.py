"""The dbt project as Dagster sees it, and how its manifest is kept up to date.

The project is the repository root (`dbt_project.yml`, `profiles.yml`). Its
target comes from `DBT_TARGET` (default: the profile's default, `duckdb`) and
its artefacts go to `DBT_TARGET_PATH` (default `<root>/target`).

Dagster builds the asset graph from `manifest.json`. `prepare_manifest()`
runs `dbt parse` whenever the manifest is missing or older than the project
files it was parsed from (models, macros, seeds, tests, `dbt_project.yml`,
`profiles.yml`), under `dagster dev` and everywhere else alike; when nothing
changed it only compares file sizes and modification times (milliseconds).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml
from dagster_dbt import DbtCliResource, DbtProject

from redcat.warehouse import project_root

DBT_TARGET_ENV = "DBT_TARGET"
DBT_TARGET_PATH_ENV = "DBT_TARGET_PATH"
FINGERPRINT_FILE = "manifest.fingerprint"

# Project files outside the dbt source folders that change what `dbt parse` produces.
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")
PATH_KEYS = ("model-paths", "macro-paths", "seed-paths", "test-paths", "snapshot-paths")


def _source_dirs(project_dir: Path) -> list[Path]:
    config = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    folders: list[Path] = []
    for key in PATH_KEYS:
        for name in config.get(key) or []:
            folders.append(project_dir / name)
    return folders


def _project_files(project_dir: Path) -> Iterable[Path]:
    for name in PROJECT_FILES:
        path = project_dir / name
        if path.is_file():
            yield path
    for folder in _source_dirs(project_dir):
        if folder.is_dir():
            yield from (p for p in folder.rglob("*") if p.is_file())


def project_fingerprint(project: DbtProject) -> str:
    """A digest of every parsed file's path, size and modification time, and the target."""
    digest = hashlib.sha256()
    digest.update(f"target={project.target or ''}\n".encode())
    for path in sorted(_project_files(project.project_dir)):
        stat = path.stat()
        relative = path.relative_to(project.project_dir)
        digest.update(f"{relative}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _fingerprint_path(project: DbtProject) -> Path:
    return project.manifest_path.parent / FINGERPRINT_FILE


def manifest_is_current(project: DbtProject) -> bool:
    """True when the manifest exists and was parsed from the project files as they are now."""
    stamp = _fingerprint_path(project)
    if not project.manifest_path.is_file() or not stamp.is_file():
        return False
    return stamp.read_text(encoding="utf-8").strip() == project_fingerprint(project)


def prepare_manifest(project: DbtProject) -> bool:
    """Parse the project (`dbt parse`) if its manifest is not current; True when it parsed.

    Used instead of `DbtProject.prepare_if_dev()`, which parses only under
    `dagster dev` (and there on every load).
    """
    if manifest_is_current(project):
        return False
    fingerprint = project_fingerprint(project)
    dbt = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
    dbt.cli(["parse", "--quiet"], target_path=project.target_path).wait()
    _fingerprint_path(project).write_text(fingerprint + "\n", encoding="utf-8")
    return True


def dbt_executable() -> str:
    """dbt's console script beside this interpreter, else `dbt` on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    if beside.is_file():
        return str(beside)
    return shutil.which("dbt") or "dbt"


def target_path(project_dir: Path) -> Path:
    """`DBT_TARGET_PATH` (relative to the project folder) or `<root>/target`, absolute."""
    configured = os.environ.get(DBT_TARGET_PATH_ENV, "").strip()
    path = Path(configured) if configured else Path("target")
    return path if path.is_absolute() else project_dir / path


def build_dbt_project(project_dir: Path | None = None) -> DbtProject:
    """The redcat dbt project for the current environment, with a current manifest."""
    root = project_dir or project_root()
    project = DbtProject(
        project_dir=root,
        target_path=target_path(root),
        profiles_dir=root,
        target=os.environ.get(DBT_TARGET_ENV) or None,
    )
    prepare_manifest(project)
    return project
