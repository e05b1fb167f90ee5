"""Every exit status of the `redcat` command, and the errors shared across modules.

`ExitStatus` is the one place the statuses are defined; docs/faults.md
("Exit statuses") lists them for users, and `redcat.cli` maps each error to
one of them. An error of redcat's own carries its status (`RedcatError`), so
a new error kind is added here, with its status, and nowhere else.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """What `redcat` exits with. Values are stable: scripts and CI rely on them."""

    OK = 0
    # a dbt step failed (a model did not build, or a test failed)
    BUILD_FAILED = 1
    # the command line or the raw input was rejected (argparse uses 2 for usage errors)
    INPUT_REJECTED = 2
    # the data contract on the shared-account join failed; marts not built
    CONTRACT_FAILED = 3
    # a publish gate stopped the run; the published copy was left as it was
    PUBLISH_GATE_STOPPED = 4
    # another command or process holds the warehouse
    WAREHOUSE_BUSY = 5
    # the warehouse path, the project folder or another path cannot be used
    PATH_UNUSABLE = 6
    # an unexpected error: a bug in redcat (run with --debug for the traceback)
    INTERNAL_ERROR = 7
    # interrupted by Ctrl-C (128 + SIGINT, the shell's convention)
    INTERRUPTED = 130


class RedcatError(Exception):
    """An error redcat reports as one message, with the exit status it ends the command with."""

    exit_status: ExitStatus = ExitStatus.INTERNAL_ERROR


class WarehouseBusyError(RedcatError):
    """Another redcat command (or process) holds the warehouse; try again when it is done."""

    exit_status = ExitStatus.WAREHOUSE_BUSY


class WarehousePathError(RedcatError):
    """The warehouse path cannot hold a DuckDB warehouse (a directory, read-only, /proc, ...)."""

    exit_status = ExitStatus.PATH_UNUSABLE


class PublishGateError(RedcatError):
    """A publish gate stopped the run before the marts were published.

    The message names the table, the gate's rule, the counts and the share;
    the previous published copy stays as it was.
    """

    exit_status = ExitStatus.PUBLISH_GATE_STOPPED
