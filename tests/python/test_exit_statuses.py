"""Every failure of the `redcat` command is one line (no traceback) and a documented
exit status: the statuses are `redcat.errors.ExitStatus`, docs/faults.md lists them,
and `redcat.cli.failure` is the one place errors are mapped to them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from rawdirs import write_raw_dir

import redcat.run
from redcat.cli import main
from redcat.errors import ExitStatus, PublishGateError
from redcat.warehouse import DbtRunError, project_root

ROOT = project_root()
REDCAT = Path(sys.executable).with_name("redcat")


def documented_statuses() -> dict[int, str]:
    text = (ROOT / "docs" / "faults.md").read_text(encoding="utf-8")
    section = text.split("## Exit statuses", 1)[1].split("\n## ", 1)[0]
    return {
        int(m.group(1)): m.group(2)
        for m in re.finditer(r"^\| (\d+) \| `([A-Z_]+)` \|", section, re.MULTILINE)
    }


def test_docs_list_every_exit_status() -> None:
    assert documented_statuses() == {status.value: status.name for status in ExitStatus}


class FakeContractReport:
    def format(self) -> str:
        return "Data contract on the shared-account join: FAILED — 30 of 31 expectations passed"


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (
            DbtRunError(["build"], 1),
            ExitStatus.BUILD_FAILED,
            "redcat run: `dbt build` failed with exit code 1 (see dbt's output above)",
        ),
        (
            redcat.run.ContractViolation(FakeContractReport()),
            ExitStatus.CONTRACT_FAILED,
            "redcat run: the data contract failed; the marts were not built or published.\n"
            "Data contract on the shared-account join: FAILED — 30 of 31 expectations passed",
        ),
        (
            PublishGateError(
                "publish gate: tb/orders quarantined 1,000 of 1,000 rows (100.0%); the "
                "published marts were left as they were"
            ),
            ExitStatus.PUBLISH_GATE_STOPPED,
            "redcat run: publish gate: tb/orders quarantined 1,000 of 1,000 rows (100.0%); the "
            "published marts were left as they were",
        ),
        (
            PermissionError(13, "Permission denied", "/data/out"),
            ExitStatus.PATH_UNUSABLE,
            "redcat run: Permission denied: /data/out",
        ),
        (
            duckdb.IOException('IO Error: Could not write file "/w.duckdb.wal": No space left\nx'),
            ExitStatus.PATH_UNUSABLE,
            "redcat run: DuckDB could not read or write a file: IO Error: Could not write file "
            '"/w.duckdb.wal": No space left',
        ),
        (
            RuntimeError("boom\nsecond line"),
            ExitStatus.INTERNAL_ERROR,
            "redcat run: unexpected RuntimeError: boom (a bug in redcat: run again with --debug "
            "for the traceback, and report it)",
        ),
        (KeyboardInterrupt(), ExitStatus.INTERRUPTED, "redcat run: interrupted"),
    ],
    ids=["dbt", "contract", "publish-gate", "os-error", "duckdb-io", "bug", "ctrl-c"],
)
def test_each_error_ends_the_command_with_its_status_and_message(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: BaseException,
    status: ExitStatus,
    message: str,
) -> None:
    def failing_run(**kwargs: object) -> None:
        raise error

    monkeypatch.setattr(redcat.run, "run", failing_run)

    assert main(["run"]) == status

    assert capsys.readouterr().err == message + "\n"


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_run(**kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(redcat.run, "run", failing_run)

    with pytest.raises(RuntimeError, match="boom"):
        main(["run", "--debug"])
    with pytest.raises(RuntimeError, match="boom"):
        main(["--debug", "run"])


def read_only_folder(tmp_path: Path) -> Path:
    """A folder no file can be created in, even by root (sysfs), or a chmod 555 one."""
    if os.geteuid() == 0:
        return Path("/sys/fs")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def bad_warehouse(kind: str, tmp_path: Path) -> tuple[Path, str]:
    """A warehouse path that cannot be used, and why the message says so."""
    if kind == "a-folder":
        path = tmp_path / "warehouse"
        path.mkdir()
        return path, "it is a folder, not a file"
    if kind == "proc":
        return Path(
            "/proc/redcat.duckdb"
        ), "cannot create files in /proc (No such file or directory)"
    if kind == "read-only":
        folder = read_only_folder(tmp_path)
        return folder / "redcat.duckdb", f"cannot create files in {folder} (Permission denied)"
    if kind == "under-a-file":
        (tmp_path / "notes.txt").write_text("x")
        return (
            tmp_path / "notes.txt" / "redcat.duckdb",
            f"{tmp_path / 'notes.txt'} is a file, not a folder",
        )
    path = tmp_path / "sales.duckdb"
    path.write_text("not a database")
    return path, f'The file "{path}" exists, but it is not a valid DuckDB database file'


@pytest.mark.parametrize("kind", ["a-folder", "proc", "read-only", "under-a-file", "not-duckdb"])
def test_a_bad_warehouse_path_is_one_line_and_status_6(tmp_path: Path, kind: str) -> None:
    write_raw_dir(tmp_path / "raw", 2)
    path, why = bad_warehouse(kind, tmp_path)

    completed = subprocess.run(
        [str(REDCAT), "load", str(tmp_path / "raw")],
        env={**os.environ, "REDCAT_DUCKDB_PATH": str(path)},
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == ExitStatus.PATH_UNUSABLE == 6
    assert completed.stderr == (
        f"redcat load: the warehouse path {path} cannot be used: {why}; point "
        "REDCAT_DUCKDB_PATH at a new or existing DuckDB file in a writable folder\n"
    )


def test_run_on_a_bad_warehouse_path_stops_before_any_build(tmp_path: Path) -> None:
    completed = subprocess.run(
        [str(REDCAT), "run"],
        env={**os.environ, "REDCAT_DUCKDB_PATH": "/proc/redcat.duckdb"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == ExitStatus.PATH_UNUSABLE
    assert completed.stderr.count("\n") == 1
    assert completed.stderr.startswith(
        "redcat run: the warehouse path /proc/redcat.duckdb cannot be used: "
    )
    assert completed.stdout == ""


def test_debug_prints_the_traceback_of_a_bad_warehouse_path(tmp_path: Path) -> None:
    completed = subprocess.run(
        [str(REDCAT), "load", str(tmp_path), "--debug"],
        env={**os.environ, "REDCAT_DUCKDB_PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 1  # Python's own status for an uncaught exception
    assert completed.stderr.startswith("Traceback (most recent call last):")
    assert "redcat.errors.WarehousePathError: the warehouse path" in completed.stderr
