"""Two deliveries of raw data replayed as the daily schedule builds them, beside a full build.

`replay_deliveries` builds the later delivery whole (the reference), and in
another warehouse builds the earlier delivery whole, loads the later one and
runs the partition of one day, as Dagster's daily run does: the files the
incremental tests compare.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from redcat.load import load_raw_dir
from redcat.warehouse import run_dbt


def window_vars(day: date) -> dict[str, str]:
    """The dbt vars of the daily partition run of `day`."""
    return {
        "partition_start_date": day.isoformat(),
        "partition_end_date": (day + timedelta(days=1)).isoformat(),
    }


@dataclass(frozen=True)
class ReplayedBuilds:
    reference: Path  # the later delivery built whole
    early: Path  # the earlier delivery built whole
    after_partition: Path  # the earlier build, the later delivery loaded, the day's partition run


def replay_deliveries(
    work: Path,
    early_raw: Path,
    late_raw: Path,
    *,
    dbt_args: Sequence[str],
    day: date,
    env: Mapping[str, str],
) -> ReplayedBuilds:
    """Build the deliveries in `work` with `dbt <dbt_args>`: see the module's docstring."""
    reference = work / "reference.duckdb"
    load_raw_dir(late_raw, reference)
    run_dbt(list(dbt_args), db_path=reference, extra_env=env)

    daily = work / "after_partition.duckdb"
    load_raw_dir(early_raw, daily)
    run_dbt(list(dbt_args), db_path=daily, extra_env=env)
    early = work / "early.duckdb"
    shutil.copy(daily, early)
    load_raw_dir(late_raw, daily)
    run_dbt([*dbt_args, "--vars", json.dumps(window_vars(day))], db_path=daily, extra_env=env)
    return ReplayedBuilds(reference=reference, early=early, after_partition=daily)
