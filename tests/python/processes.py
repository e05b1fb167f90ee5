"""Process groups for tests that start a command in its own session and must see it gone.

A test that kills or stops a command waits until every process of its group
has exited (not only the leader it started): a child that outlives its
parent by a moment would otherwise hold a port or the warehouse file, or be
found alive by the next assertion. Waiting polls /proc for a condition; it is
never a fixed sleep.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def group_members(pgid: int) -> list[int]:
    """Live processes (not zombies) in process group `pgid`."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while it was read
        state, process_group = fields[0], int(fields[2])
        if process_group == pgid and state not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def wait_for_group_exit(pgid: int, timeout: float) -> bool:
    """True once no process of group `pgid` is alive; False if some still are after `timeout` s."""
    deadline = time.monotonic() + timeout
    while group_members(pgid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def kill_group(pgid: int, timeout: float = 120) -> None:
    """SIGKILL every process of group `pgid` and wait until all are gone (AssertionError if not)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return
    if not wait_for_group_exit(pgid, timeout):
        raise AssertionError(f"processes {group_members(pgid)} of group {pgid} survived SIGKILL")
