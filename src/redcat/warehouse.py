"""Where the project and its warehouse live, and how dbt is run against them.

`ENVIRONMENT` below is the one place that lists every environment variable
redcat reads or sets, with its default (README.md repeats it).

`<root>` is the project folder: the one holding `dbt_project.yml`. The package
is installed editable from it, so it is found from this file's location (or,
failing that, from the current directory upwards).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb

DUCKDB_PATH_ENV = "REDCAT_DUCKDB_PATH"

# name -> (default, effect)
ENVIRONMENT: Mapping[str, tuple[str, str]] = {
    DUCKDB_PATH_ENV: (
        "<root>/warehouse/redcat.duckdb",
        "the DuckDB warehouse file; the dbt profile `redcat` reads it too",
    ),
    "REDCAT_PUBLISHED_DB": (
        "<warehouse folder>/published/redcat_marts.duckdb",
        "the published marts `redcat dashboard` reads (its --published option sets it)",
    ),
    "DBT_TARGET": ("duckdb", "dbt target of profile `redcat`, and the Dagster resources for it"),
    # the server warehouse (dbt target `postgres`, redcat.server): the same
    # defaults in profiles.yml and scripts/postgres.sh
    "REDCAT_PG_HOST": ("127.0.0.1", "PostgreSQL host of the server warehouse"),
    "REDCAT_PG_PORT": ("5432", "its port (scripts/postgres.sh picks a free one)"),
    "REDCAT_PG_DATABASE": ("redcat", "its database"),
    "REDCAT_PG_USER": ("redcat", "the role that builds the project and owns its schemas"),
    "REDCAT_PG_PASSWORD": ("redcat", "that role's password"),
    "REDCAT_PG_BI_USER": ("bi_reader", "the BI role: reads schema marts, nothing else"),
    "REDCAT_PG_BI_PASSWORD": ("bi_reader", "the BI role's password"),
    "DBT_TARGET_PATH": ("<root>/target", "dbt's compiled artefacts (dbt's own variable)"),
    "DBT_LOG_PATH": ("<root>/logs", "dbt's log folder (dbt's own variable)"),
    "GX_ANALYTICS_ENABLED": ("false", "Great Expectations usage reporting; set off for every run"),
    "DO_NOT_TRACK": ("1", "usage tracking opt-out honoured by several tools; set for every run"),
}
DEFAULT_WAREHOUSE = Path("warehouse") / "redcat.duckdb"

# Set for every dbt run: no usage reporting leaves the machine.
QUIET_ENV: Mapping[str, str] = {
    "GX_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}


# dbt's console script, run by this interpreter (the one redcat is installed in).
DBT_ENTRY_POINT = "import sys; from dbt.cli.main import cli; sys.exit(cli(prog_name='dbt'))"


class ProjectNotFoundError(RuntimeError):
    """No folder holding `dbt_project.yml` was found."""


class WarehouseLockedError(RuntimeError):
    """Another process holds the DuckDB file (DuckDB allows one writer, and no reader meanwhile)."""


class DbtRunError(RuntimeError):
    """A dbt command exited with a non-zero code."""

    def __init__(self, args: list[str], returncode: int) -> None:
        self.dbt_args = list(args)
        self.returncode = returncode
        super().__init__(
            f"`dbt {' '.join(args)}` failed with exit code {returncode} (see dbt's output above)"
        )


def _find_upwards(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    return None


def project_root() -> Path:
    """The project folder: the nearest folder holding `dbt_project.yml`.

    Looked for from this package's location first (editable install), then
    from the current directory.
    """
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        found = _find_upwards(start)
        if found is not None:
            return found
    raise ProjectNotFoundError(
        "cannot find the redcat project folder (the one holding dbt_project.yml); "
        "install the package editable from it (`make run` does) or run from inside it"
    )


def warehouse_path(root: Path | None = None) -> Path:
    """The DuckDB warehouse file, absolute; its parent folder is created.

    `REDCAT_DUCKDB_PATH` if set (relative to the current directory), else
    `<root>/warehouse/redcat.duckdb`.
    """
    configured = os.environ.get(DUCKDB_PATH_ENV, "").strip()
    if configured:
        path = Path(configured).expanduser()
        if not path.is_absolute():
            path = Path.cwd() / path
    else:
        path = (root or project_root()) / DEFAULT_WAREHOUSE
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def connect(db_path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection to the warehouse, with the session in UTC."""
    db_path = Path(db_path)
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        raise WarehouseLockedError(
            f"the warehouse {db_path} is in use by another process (a dbt build, a BI "
            "connection, ...); DuckDB allows one writer at a time: try again when it is done"
        ) from error
    try:
        con.execute("set TimeZone = 'UTC'")
        yield con
    finally:
        con.close()


def dbt_env(db_path: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a dbt process runs with: ours, `extra`, and the warehouse path."""
    env = dict(os.environ)
    env.update(QUIET_ENV)
    env.update(extra or {})
    env[DUCKDB_PATH_ENV] = str(Path(db_path).resolve())
    return env


def run_dbt(
    args: list[str],
    *,
    db_path: Path,
    root: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> None:
    """Run `dbt <args>` on the project against the warehouse at `db_path`.

    dbt runs in a child process of this interpreter (so its adapter holds the
    DuckDB file only while it runs), with `--project-dir` and `--profiles-dir`
    set to the project folder and `REDCAT_DUCKDB_PATH` set to `db_path`.
    `extra_env` adds variables (e.g. `DBT_TARGET_PATH`). Its output goes
    straight to the terminal. Raises `DbtRunError` on failure.
    """
    project = root or project_root()
    command = [
        sys.executable,
        "-c",
        DBT_ENTRY_POINT,
        *args,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
    ]
    completed = subprocess.run(command, cwd=project, env=dbt_env(db_path, extra_env), check=False)
    if completed.returncode != 0:
        raise DbtRunError(args, completed.returncode)
