"""Daily partitions of the event-driven dbt models, and the dbt vars a partition passes.

Which models are event-driven is declared in dbt (`meta: {partition: daily}`,
read through `redcat.pipeline.catalog`); the business time zone and the range
of the partitions are dbt vars (`business_time_zone`, `partitions_first_day`,
`partitions_last_day`). A partition is one local business day. A run over a
partition, or over a range of partitions, passes the window to dbt in its
environment,

    REDCAT_PARTITION_START_DATE=2025-05-13 REDCAT_PARTITION_END_DATE=2025-05-14

which the models read only while they execute (`partition_bound()` in
`macros/incremental/`), so each day's window keeps dbt's partial parsing: the
same window as `--vars '{"partition_start_date": ..., "partition_end_date":
...}'` (what a dbt call by hand may pass) would make dbt parse the whole
project again on every new day.

`partition_start_date` is the first local day of the window and
`partition_end_date` the local day after the last one (half-open, like
Dagster's time windows): a model selects `event_date >= start and
event_date < end`, widened by its own lookback. Full-table models ignore the
vars; a run without a partition (the weekly full rebuild, `redcat run`)
passes none.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from redcat.pipeline import PipelineVars

PARTITION_START_VAR = "partition_start_date"
PARTITION_END_VAR = "partition_end_date"
# the environment variable dbt reads each bound from (macros/incremental/partition_bound.sql)
# dbt copies the variables with this prefix into its artefacts' metadata
DBT_RECORDED_ENV_PREFIX = "DBT_ENV_CUSTOM_ENV_"
PARTITION_ENV = {
    PARTITION_START_VAR: "REDCAT_PARTITION_START_DATE",
    PARTITION_END_VAR: "REDCAT_PARTITION_END_DATE",
}


def daily_partitions(settings: PipelineVars) -> dg.DailyPartitionsDefinition:
    """One partition per local business day, from the first to the last day the vars name."""
    last_day = settings.partitions_last_day
    return dg.DailyPartitionsDefinition(
        start_date=settings.partitions_first_day.isoformat(),
        end_date=(last_day + timedelta(days=1)).isoformat() if last_day else None,
        timezone=settings.business_time_zone,
    )


def _local_date(moment: datetime) -> str:
    """The calendar day of `moment` in its own time zone, as `YYYY-MM-DD`.

    Dagster gives a partition's window in the partitions' time zone (the
    business time zone), so its day is the local business day.
    """
    return moment.date().isoformat()


def partition_vars(window: dg.TimeWindow) -> dict[str, str]:
    """The dbt vars for a partition's (or a partition range's) time window."""
    return {
        PARTITION_START_VAR: _local_date(window.start),
        PARTITION_END_VAR: _local_date(window.end),
    }


def partition_env(window: dg.TimeWindow | None) -> dict[str, str]:
    """The environment a dbt call over `window` gets; both bounds empty without a window
    (so a value left in the caller's environment never narrows a full build).

    With a window, each bound is also set with dbt's `DBT_ENV_CUSTOM_ENV_` prefix,
    so dbt records the window in its artefacts (`metadata.env` of
    `run_results.json`) as it recorded `--vars`.
    """
    bounds = partition_vars(window) if window is not None else {}
    env = {name: bounds.get(var, "") for var, name in PARTITION_ENV.items()}
    recorded = {f"{DBT_RECORDED_ENV_PREFIX}{name}": value for name, value in env.items()}
    return {**env, **recorded} if bounds else env


def vars_for_partition_key(
    partitions: dg.DailyPartitionsDefinition, partition_key: str
) -> dict[str, str]:
    """The dbt vars one daily partition passes, e.g. for `2025-05-13`."""
    return partition_vars(partitions.time_window_for_partition_key(partition_key))


def previous_local_day(moment: datetime, time_zone: str) -> str:
    """The partition key of the last complete local day before `moment`."""
    local_today = moment.astimezone(ZoneInfo(time_zone)).date()
    return (local_today - timedelta(days=1)).isoformat()
