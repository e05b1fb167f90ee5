"""The dbt project as Dagster sees it (`DbtProject`), with a current manifest.

Paths, target and vars come from `redcat.pipeline.project`; the manifest is
parsed there, and only when the project files changed.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster_dbt import DbtProject

from redcat.pipeline import DbtProjectPaths, dbt_project_paths, prepare_manifest


def dbt_executable() -> str:
    """dbt's console script beside this interpreter, else `dbt` on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    if beside.is_file():
        return str(beside)
    return shutil.which("dbt") or "dbt"


def build_dbt_project(
    project_dir: Path | None = None, dbt_vars: Mapping[str, Any] | None = None
) -> tuple[DbtProject, DbtProjectPaths]:
    """The redcat dbt project for the current environment and vars, with a current manifest."""
    paths = dbt_project_paths(project_dir, dbt_vars)
    prepare_manifest(paths)
    project = DbtProject(
        project_dir=paths.project_dir,
        target_path=paths.target_path,
        profiles_dir=paths.project_dir,
        target=paths.target,
    )
    return project, paths
