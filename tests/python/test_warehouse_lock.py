"""One command at a time: the warehouse lock of `redcat load` and `redcat run`.

A holder is a separate process that takes the lock (`hold_warehouse_lock`)
and says so on stdout before it waits: every test knows the lock is held
before it acts, without sleeping. The lock is an OS lock, so a holder killed
with SIGKILL leaves it free, and its record is taken over.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rawdirs import write_raw_dir

import redcat.load
import redcat.run
from redcat.cli import main
from redcat.errors import ExitStatus, WarehouseBusyError
from redcat.warehouse import hold_warehouse_lock, warehouse_lock_path

HOLDER = """
import sys
from pathlib import Path
from redcat.warehouse import hold_warehouse_lock
with hold_warehouse_lock(Path(sys.argv[1]), sys.argv[2]) as info:
    print(info.pid, info.started_at.strftime("%Y-%m-%d %H:%M:%S"), flush=True)
    sys.stdin.read()
"""

TRY_LOCK = """
import sys
from pathlib import Path
from redcat.errors import WarehouseBusyError
from redcat.warehouse import hold_warehouse_lock
try:
    with hold_warehouse_lock(Path(sys.argv[1]), "a second command"):
        print("acquired")
except WarehouseBusyError as error:
    print(error)
"""


@contextmanager
def holder(db_path: Path, command: str) -> Iterator[tuple[subprocess.Popen[str], int, str]]:
    """A process holding the warehouse lock as `command`: (process, pid, start time)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path), command],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        pid, started = process.stdout.readline().split(" ", 1)
        yield process, int(pid), started.strip()
    finally:
        if process.poll() is None:
            process.communicate("")
        process.wait()


def another_process_tries(db_path: Path) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", TRY_LOCK, str(db_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def busy(db_path: Path, command: str, pid: int, started: str) -> str:
    return (
        f"the warehouse {db_path} is in use by `{command}` (pid {pid}, started {started} UTC); "
        "one redcat command runs on a warehouse at a time: try again when it has finished"
    )


def test_a_second_load_exits_at_once_naming_the_running_command(tmp_path: Path, db_path: Path):
    write_raw_dir(tmp_path / "raw", 2)
    db_path.parent.mkdir(parents=True)
    running = "redcat run --raw-dir /data/exports"

    with holder(db_path, running) as (_, pid, started):
        completed = subprocess.run(
            [str(Path(sys.executable).with_name("redcat")), "load", str(tmp_path / "raw")],
            capture_output=True,
            text=True,
            check=False,
        )

    assert completed.returncode == ExitStatus.WAREHOUSE_BUSY == 5
    assert completed.stderr == f"redcat load: {busy(db_path, running, pid, started)}\n"
    assert completed.stdout == ""
    assert not db_path.exists()  # nothing was loaded


def test_a_second_run_exits_at_once_before_any_build(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    def must_not_run(**kwargs: object) -> None:
        raise AssertionError("the run started while another command held the warehouse")

    monkeypatch.setattr(redcat.run, "run", must_not_run)
    db_path.parent.mkdir(parents=True)

    with holder(db_path, "redcat load /data/day1") as (_, pid, started):
        status = main(["run"])

    assert status == ExitStatus.WAREHOUSE_BUSY
    assert capsys.readouterr().err == (
        f"redcat run: {busy(db_path, 'redcat load /data/day1', pid, started)}\n"
    )


def test_load_holds_the_lock_while_it_loads(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    write_raw_dir(tmp_path / "raw", 2)
    seen: list[str] = []
    real_load = redcat.load.load_raw_dir

    def load_and_look(*args: object, **kwargs: object) -> redcat.load.LoadReport:
        record = json.loads(warehouse_lock_path(db_path).read_text())
        seen.append(record["command"])
        seen.append(another_process_tries(db_path))
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(redcat.load, "load_raw_dir", load_and_look)

    assert main(["load", str(tmp_path / "raw"), "--encoding", "utf-8"]) == ExitStatus.OK

    command = f"redcat load {tmp_path / 'raw'} --encoding utf-8"
    started = seen[1].split("started ", 1)[1].split(" UTC", 1)[0]
    assert seen == [command, busy(db_path, command, os.getpid(), started)]
    assert warehouse_lock_path(db_path).read_text() == ""  # released: an empty record
    assert another_process_tries(db_path) == "acquired"


def test_run_holds_the_lock_for_its_whole_duration(db_path: Path, monkeypatch: pytest.MonkeyPatch):
    seen: list[str] = []

    def fake_run(**kwargs: object) -> None:
        assert kwargs["db_path"] == db_path
        seen.append(json.loads(warehouse_lock_path(db_path).read_text())["command"])
        seen.append(another_process_tries(db_path))

    monkeypatch.setattr(redcat.run, "run", fake_run)

    assert main(["run", "--seed", "7", "--debug"]) == ExitStatus.OK

    assert seen[0] == "redcat run --seed 7"
    assert seen[1].startswith(f"the warehouse {db_path} is in use by `redcat run --seed 7` (pid ")
    assert another_process_tries(db_path) == "acquired"


def test_a_lock_left_by_a_killed_command_is_taken_over(
    db_path: Path, caplog: pytest.LogCaptureFixture
):
    db_path.parent.mkdir(parents=True)
    with holder(db_path, "redcat run --scale 1") as (process, pid, started):
        os.kill(pid, signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL
    # the killed holder's record is still in the file; its flock died with it
    assert json.loads(warehouse_lock_path(db_path).read_text())["pid"] == pid

    with (
        caplog.at_level(logging.WARNING, logger="redcat.warehouse"),
        hold_warehouse_lock(db_path, "redcat load /data") as info,
    ):
        assert info.pid == os.getpid()
        assert info.taken_over_from is not None
        assert info.taken_over_from.pid == pid
        assert info.taken_over_from.command == "redcat run --scale 1"
        assert f"{info.taken_over_from.started_at:%Y-%m-%d %H:%M:%S}" == started
        assert json.loads(warehouse_lock_path(db_path).read_text())["pid"] == os.getpid()
        assert another_process_tries(db_path).startswith(
            f"the warehouse {db_path.resolve()} is in use by `redcat load /data` (pid {os.getpid()}"
        )

    assert caplog.messages == [
        f"taking over the warehouse lock {warehouse_lock_path(db_path)} left by "
        f"`redcat run --scale 1` (pid {pid}, started {started} UTC), which ended without "
        "releasing it"
    ]
    assert another_process_tries(db_path) == "acquired"


def test_a_command_after_a_killed_one_loads_and_says_it_took_over(tmp_path: Path, db_path: Path):
    write_raw_dir(tmp_path / "raw", 2)
    db_path.parent.mkdir(parents=True)
    with holder(db_path, "redcat load /old") as (process, pid, started):
        process.kill()
        process.wait()

    completed = subprocess.run(
        [str(Path(sys.executable).with_name("redcat")), "load", str(tmp_path / "raw")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == ExitStatus.OK
    assert completed.stderr == (
        f"WARNING: taking over the warehouse lock {warehouse_lock_path(db_path)} left by "
        f"`redcat load /old` (pid {pid}, started {started} UTC), which ended without "
        "releasing it\n"
    )
    assert "total" in completed.stdout


def test_the_lock_is_released_when_the_command_fails(tmp_path: Path, db_path: Path):
    assert main(["load", str(tmp_path / "nowhere")]) == ExitStatus.INPUT_REJECTED

    assert warehouse_lock_path(db_path).read_text() == ""
    assert another_process_tries(db_path) == "acquired"


def test_the_lock_is_reentrant_within_one_process(db_path: Path):
    db_path.parent.mkdir(parents=True)
    with hold_warehouse_lock(db_path, "outer") as outer:
        with hold_warehouse_lock(db_path, "inner") as inner:
            assert inner is outer
        assert another_process_tries(db_path).startswith(
            f"the warehouse {db_path} is in use by `outer`"
        )
    assert another_process_tries(db_path) == "acquired"


def test_busy_error_is_raised_to_library_callers(db_path: Path):
    db_path.parent.mkdir(parents=True)
    with (
        holder(db_path, "dagster run 1234") as (_, pid, started),
        pytest.raises(WarehouseBusyError) as caught,
        hold_warehouse_lock(db_path, "x"),
    ):
        pass

    assert str(caught.value) == busy(db_path, "dagster run 1234", pid, started)
    assert caught.value.exit_status == ExitStatus.WAREHOUSE_BUSY


@pytest.mark.slow
def test_a_dagster_run_fails_at_once_while_another_command_holds_the_warehouse(db_path: Path):
    """Dagster runs (the UI's, the schedules', `redcat run`'s) take the same lock: the
    warehouse resource holds it for the whole run, so no step starts."""
    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.resources import WarehouseResource

    db_path.parent.mkdir(parents=True)
    defs = build_definitions(resources={"warehouse": WarehouseResource(db_path=str(db_path))})
    job = defs.resolve_job_def("redcat_run")
    running = "redcat load /data/day1"

    with holder(db_path, running) as (_, pid, started):
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            partition_key="2025-06-30",
            raise_on_error=False,
        )

    assert not result.success
    assert [e.step_key for e in result.all_events if e.event_type_value == "STEP_START"] == []
    failure = next(e for e in result.all_events if e.event_type_value == "RESOURCE_INIT_FAILURE")
    assert failure.event_specific_data.error.message == (
        f"redcat.errors.WarehouseBusyError: {busy(db_path, running, pid, started)}\n"
    )
    assert not db_path.exists()  # nothing was built
