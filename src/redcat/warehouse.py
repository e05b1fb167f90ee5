"""Where the project and its warehouse live, and how dbt is run against them.

`ENVIRONMENT` below is the one place that lists every environment variable
redcat reads or sets, with its default (README.md repeats it).

`<root>` is the project folder: the one holding `dbt_project.yml`. The package
is installed editable from it, so it is found from this file's location (or,
failing that, from the current directory upwards).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from redcat.errors import ExitStatus, RedcatError, WarehouseBusyError, WarehousePathError

log = logging.getLogger(__name__)

DUCKDB_PATH_ENV = "REDCAT_DUCKDB_PATH"
UNCOMMITTED_DIR_ENV = "REDCAT_GX_UNCOMMITTED_DIR"
MEMORY_LIMIT_ENV = "REDCAT_DUCKDB_MEMORY_LIMIT"
THREADS_ENV = "REDCAT_DUCKDB_THREADS"
TEMP_DIRECTORY_ENV = "REDCAT_DUCKDB_TEMP_DIRECTORY"
# DuckDB's resources, the same for dbt (profiles.yml) and redcat's own
# connections: a bounded memory and a folder to spill to, so a larger scale
# runs slower instead of running out of memory.
DEFAULT_MEMORY_LIMIT = "3GB"
DEFAULT_THREADS = "2"
TEMP_SUFFIX = ".tmp"

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
    MEMORY_LIMIT_ENV: (
        DEFAULT_MEMORY_LIMIT,
        "DuckDB's memory_limit, for dbt and redcat alike (beyond it DuckDB spills to disk)",
    ),
    THREADS_ENV: (DEFAULT_THREADS, "DuckDB's threads, for dbt and redcat alike"),
    "REDCAT_DBT_THREADS": (
        "1",
        "dbt's threads on DuckDB (nodes built at once; they share DuckDB's memory_limit)",
    ),
    TEMP_DIRECTORY_ENV: (
        "<warehouse file>.tmp",
        "where DuckDB spills what does not fit in its memory_limit",
    ),
    UNCOMMITTED_DIR_ENV: (
        "<root>/gx/uncommitted",
        "where the data contract writes its validation results and Data Docs",
    ),
    "DBT_TARGET": ("duckdb", "dbt target of profile `redcat`, and the Dagster resources for it"),
    # set by Dagster's partition runs (orchestration.partitions.partition_env)
    "REDCAT_PARTITION_START_DATE": (
        "(none)",
        "first local day of a partition run's window; read by dbt while it executes",
    ),
    "REDCAT_PARTITION_END_DATE": ("(none)", "the local day after the window's last one"),
    # the Spark warehouse (dbt target `spark`, redcat.spark); profiles.yml reads it too
    "REDCAT_SPARK_DIR": (
        "<root>/warehouse/spark",
        "the Spark warehouse folder: Parquet tables and the Hive metastore",
    ),
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


class ProjectNotFoundError(RedcatError, RuntimeError):
    """No folder holding `dbt_project.yml` was found."""

    exit_status = ExitStatus.PATH_UNUSABLE


class WarehouseLockedError(WarehouseBusyError, RuntimeError):
    """Another process holds the DuckDB file (DuckDB allows one writer, and no reader meanwhile)."""


class DbtRunError(RedcatError, RuntimeError):
    """A dbt command exited with a non-zero code."""

    exit_status = ExitStatus.BUILD_FAILED

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
    _ensure_folder(path)
    return path


def _ensure_folder(db_path: Path) -> None:
    """Create the warehouse's folder; `WarehousePathError` (one line) if it cannot be."""
    for folder in (db_path.parent, *db_path.parent.parents):
        if folder.exists():
            if not folder.is_dir():
                raise WarehousePathError(_unusable(db_path, f"{folder} is a file, not a folder"))
            break
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WarehousePathError(
            _unusable(db_path, f"cannot create its folder {db_path.parent} ({_reason(error)})")
        ) from error


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _unusable(db_path: Path, why: str) -> str:
    return (
        f"the warehouse path {db_path} cannot be used: {why}; point {DUCKDB_PATH_ENV} at a "
        "new or existing DuckDB file in a writable folder"
    )


def check_warehouse_path(db_path: Path) -> None:
    """`WarehousePathError` (one line) unless `db_path` can be a DuckDB warehouse file.

    Checks what can be checked before DuckDB opens it: the path is not a
    folder, its folder exists (or can be created) and is a folder. That the
    folder is writable shows when the lock file beside it is created
    (`hold_warehouse_lock`), and that the file is a DuckDB database when it
    is opened (`connect`).
    """
    db_path = Path(db_path)
    if db_path.is_dir():
        raise WarehousePathError(_unusable(db_path, "it is a folder, not a file"))
    if db_path.exists() and not db_path.is_file():
        raise WarehousePathError(_unusable(db_path, "it is not a regular file"))
    _ensure_folder(db_path)


def duckdb_settings(db_path: Path | str | None) -> dict[str, str]:
    """DuckDB's memory_limit, threads and temp_directory, as profiles.yml sets them for dbt.

    From `REDCAT_DUCKDB_MEMORY_LIMIT`, `REDCAT_DUCKDB_THREADS` and
    `REDCAT_DUCKDB_TEMP_DIRECTORY`; the spill folder defaults to the database
    file's path plus `.tmp` (none for an in-memory database or `db_path` None).
    """
    settings = {
        "memory_limit": os.environ.get(MEMORY_LIMIT_ENV, "").strip() or DEFAULT_MEMORY_LIMIT,
        "threads": os.environ.get(THREADS_ENV, "").strip() or DEFAULT_THREADS,
    }
    temp = os.environ.get(TEMP_DIRECTORY_ENV, "").strip()
    if not temp and db_path is not None and str(db_path) != ":memory:":
        temp = f"{db_path}{TEMP_SUFFIX}"
    if temp:
        settings["temp_directory"] = temp
    return settings


def apply_duckdb_settings(con: duckdb.DuckDBPyConnection, db_path: Path | str | None) -> None:
    """Set `duckdb_settings` on an open connection (global to its database instance).

    Set after opening rather than passed as `config`, so connections of one
    process to the same file (the contract's SQLAlchemy engine beside
    `connect`) never differ in configuration, which DuckDB refuses.
    """
    for name, value in duckdb_settings(db_path).items():
        current = con.execute("select current_setting(?)", [name]).fetchone()
        if name == "temp_directory" and current is not None and current[0] == value:
            continue  # DuckDB refuses to set it again once it has spilled there
        con.execute(f"set {name} = ?", [value])


@contextmanager
def connect(db_path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection to the warehouse, in UTC, with the project's resources."""
    db_path = Path(db_path)
    if not read_only:
        _ensure_folder(db_path)
    try:
        con = duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as error:
        message = str(error)
        if "lock" in message.lower():
            raise WarehouseLockedError(
                f"the warehouse {db_path} is in use by another process (a dbt build, a BI "
                "connection, ...); DuckDB allows one writer at a time: try again when it is done"
            ) from error
        raise WarehousePathError(_unusable(db_path, _duckdb_open_reason(message))) from error
    except duckdb.Error as error:
        raise WarehousePathError(_unusable(db_path, _duckdb_open_reason(str(error)))) from error
    try:
        con.execute("set TimeZone = 'UTC'")
        apply_duckdb_settings(con, db_path)
        yield con
    finally:
        con.close()


def _duckdb_open_reason(message: str) -> str:
    """DuckDB's reason for not opening a file, on one line, without its error-class prefix."""
    first = message.strip().splitlines()[0] if message.strip() else "DuckDB cannot open it"
    for prefix in ("IO Error: ", "Invalid Input Error: ", "Serialization Error: "):
        first = first.removeprefix(prefix)
    return first.rstrip("!.")


# --- one run at a time ----------------------------------------------------------

LOCK_SUFFIX = ".lock"


@dataclass(frozen=True)
class LockInfo:
    """Who holds (or held) the warehouse lock, as recorded in the lock file."""

    pid: int
    command: str
    started_at: datetime  # UTC
    host: str
    lock_path: Path
    # the holder recorded by a process that ended without releasing the lock
    # (killed), when this holder took the lock over from it
    taken_over_from: LockInfo | None = None

    def describe(self) -> str:
        """`redcat run` (pid 1234, started 2025-06-18 02:00:00 UTC)."""
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return (
            f"`{self.command}` (pid {self.pid}{where}, started "
            f"{self.started_at:%Y-%m-%d %H:%M:%S} UTC)"
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "pid": self.pid,
                "command": self.command,
                "started_at": self.started_at.isoformat(),
                "host": self.host,
            }
        )


def warehouse_lock_path(db_path: Path) -> Path:
    """The lock file of the warehouse at `db_path`: `<file>.lock` beside it."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + LOCK_SUFFIX)


def _read_holder(fd: int, lock_path: Path) -> LockInfo | None:
    """The holder recorded in the lock file, None when it is empty (released cleanly)."""
    text = b""
    while chunk := os.pread(fd, 65536, len(text)):
        text += chunk
    if not text.strip():
        return None
    try:
        record = json.loads(text)
        return LockInfo(
            pid=int(record["pid"]),
            command=str(record["command"]),
            started_at=datetime.fromisoformat(record["started_at"]),
            host=str(record.get("host", "")),
            lock_path=lock_path,
        )
    except (ValueError, KeyError, TypeError):
        return LockInfo(
            pid=0,
            command="an unknown command (the lock file is unreadable)",
            started_at=datetime.fromtimestamp(0, UTC),
            host=socket.gethostname(),
            lock_path=lock_path,
        )


def busy_message(db_path: Path, holder: LockInfo | None) -> str:
    """One line: which command holds the warehouse, and what to do."""
    who = holder.describe() if holder is not None else "another command (starting up)"
    return (
        f"the warehouse {db_path} is in use by {who}; one redcat command runs on a "
        "warehouse at a time: try again when it has finished"
    )


# Locks this process holds: lock path -> (file descriptor, holder, depth). A
# command that holds the lock may call code that takes it again (the lock is
# per process, like the run it protects); flock itself would refuse a second
# descriptor of the same process.
_held: dict[Path, tuple[int, LockInfo, int]] = {}
_held_guard = threading.Lock()


@contextmanager
def _warehouse_lock(db_path: Path, command: str) -> Iterator[LockInfo]:
    db_path = Path(db_path).resolve()
    lock_path = warehouse_lock_path(db_path)
    with _held_guard:
        if lock_path in _held:
            fd, info, depth = _held[lock_path]
            _held[lock_path] = (fd, info, depth + 1)
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield info
        finally:
            with _held_guard:
                fd, info, depth = _held[lock_path]
                _held[lock_path] = (fd, info, depth - 1)
        return

    check_warehouse_path(db_path)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise WarehousePathError(
            _unusable(db_path, f"cannot create files in {lock_path.parent} ({_reason(error)})")
        ) from error
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusyError(busy_message(db_path, _read_holder(fd, lock_path))) from None
        previous = _read_holder(fd, lock_path)
        info = LockInfo(
            pid=os.getpid(),
            command=command,
            started_at=datetime.now(UTC).replace(microsecond=0),
            host=socket.gethostname(),
            lock_path=lock_path,
            taken_over_from=previous,
        )
        if previous is not None:
            log.warning(
                "taking over the warehouse lock %s left by %s, which ended without releasing it",
                lock_path,
                previous.describe(),
            )
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.to_json().encode() + b"\n", 0)
        with _held_guard:
            _held[lock_path] = (fd, info, 1)
        try:
            yield info
        finally:
            with _held_guard:
                del _held[lock_path]
            os.ftruncate(fd, 0)  # released cleanly: an empty lock file
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def hold_warehouse_lock(db_path: Path, command: str) -> AbstractContextManager[LockInfo]:
    """Hold the warehouse's run lock for the `with` block: one command at a time.

    The lock is an OS lock (`flock`) on `<warehouse>.lock` beside the
    warehouse file, so it dies with its process: a command that is killed
    leaves no lock that blocks the next one. The holder (pid, command, start
    time, host) is written into the file while it is held and the file is
    emptied on release; a holder record found when the lock is free was left
    by a process that ended without releasing it (killed), and is taken over
    with a warning (`LockInfo.taken_over_from`).

    Raises `WarehouseBusyError`, naming the holder, when another process holds
    it, and `WarehousePathError` when the lock file cannot be created beside
    `db_path`. A process that already holds the lock gets it again (nested
    use). `redcat load` and `redcat run` hold it for their whole duration.
    """
    return _warehouse_lock(db_path, command)


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
