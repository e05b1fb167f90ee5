"""Where Dagster keeps runs: `dagster/` beside the warehouse, shared by the UI and `redcat run`.

With the default warehouse that is `warehouse/dagster/`, the folder the
committed `dagster.yaml` names for a plain `dagster dev` in the project
folder, so runs of `redcat run --record-run` show in the UI. The folder holds its own
`dagster.yaml` (telemetry off), written when missing, for `DAGSTER_HOME`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

INSTANCE_DIR = "dagster"
INSTANCE_CONFIG = "telemetry:\n  enabled: false\n"


def dagster_home(db_path: Path) -> Path:
    """The Dagster instance folder of the warehouse at `db_path`, created with its config."""
    home = Path(db_path).resolve().parent / INSTANCE_DIR
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_CONFIG, encoding="utf-8")
    return home


@contextmanager
def persistent_instance(db_path: Path) -> Iterator[dg.DagsterInstance]:
    """The warehouse's own instance (SQLite run and event storage in `dagster_home`)."""
    home = str(dagster_home(db_path))
    before = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = home
    try:
        with dg.DagsterInstance.get() as instance:
            yield instance
    finally:
        if before is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = before


@contextmanager
def ephemeral_instance() -> Iterator[dg.DagsterInstance]:
    """An in-memory instance: nothing is kept after the run."""
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance
