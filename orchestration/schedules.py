"""Jobs and schedules (Asia/Shanghai time).

- `warehouse_daily`, every day at 02:00: the previous local day's partition
  of the event-driven models, and a rebuild of everything else.
- `warehouse_full_rebuild`, Sundays at 03:00: `dbt build --full-refresh` of
  everything, without a partition window (every table is rebuilt from all
  the raw data). The run is recorded on the previous local day's partition.

Both build from the raw data currently in the warehouse: `raw_data` is
materialised from the launchpad when new raw data should be loaded.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.assets.dbt import FULL_REFRESH_TAG
from orchestration.assets.raw import RAW_DATA_KEY
from orchestration.partitions import BUSINESS_TIME_ZONE

WAREHOUSE_SELECTION = dg.AssetSelection.all() - dg.AssetSelection.assets(RAW_DATA_KEY)

warehouse_daily_job = dg.define_asset_job(
    "warehouse_daily",
    selection=WAREHOUSE_SELECTION,
    description="dbt build of one local day's partition, the contract, then the marts.",
)

warehouse_full_rebuild_job = dg.define_asset_job(
    "warehouse_full_rebuild",
    selection=WAREHOUSE_SELECTION,
    tags={FULL_REFRESH_TAG: "true"},
    description="dbt build --full-refresh of everything, the contract, then the marts.",
)


def previous_local_day(moment: datetime) -> str:
    """The partition key of the last complete Asia/Shanghai day before `moment`."""
    local_today = moment.astimezone(ZoneInfo(BUSINESS_TIME_ZONE)).date()
    return (local_today - timedelta(days=1)).isoformat()


def full_rebuild_request(scheduled_at: datetime) -> dg.RunRequest:
    """The weekly full rebuild, recorded on the previous local day's partition."""
    partition_key = previous_local_day(scheduled_at)
    return dg.RunRequest(run_key=f"full_rebuild_{partition_key}", partition_key=partition_key)


@dg.schedule(
    name="warehouse_daily_schedule",
    job=warehouse_daily_job,
    cron_schedule="0 2 * * *",
    execution_timezone=BUSINESS_TIME_ZONE,
    description="02:00 Asia/Shanghai: builds the previous local day.",
)
def warehouse_daily_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    partition_key = previous_local_day(context.scheduled_execution_time)
    return dg.RunRequest(run_key=f"daily_{partition_key}", partition_key=partition_key)


@dg.schedule(
    name="warehouse_weekly_full_rebuild",
    job=warehouse_full_rebuild_job,
    cron_schedule="0 3 * * 0",
    execution_timezone=BUSINESS_TIME_ZONE,
    description="Sundays 03:00 Asia/Shanghai: dbt build --full-refresh of everything.",
)
def warehouse_weekly_full_rebuild(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return full_rebuild_request(context.scheduled_execution_time)


SCHEDULES = [warehouse_daily_schedule, warehouse_weekly_full_rebuild]
JOBS = [warehouse_daily_job, warehouse_full_rebuild_job]
