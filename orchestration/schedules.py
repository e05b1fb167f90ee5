"""Jobs and schedules (in the business time zone, dbt var `business_time_zone`).

- `redcat_run`: everything, from the raw data to the publication for BI, with
  `dbt build --full-refresh`: the main job, which `redcat run` executes in
  process. Raw data as configured for `raw_data` (default: the committed seeds).
- `warehouse_daily`, every day at 02:00: the previous local day's partition
  of the event-driven models, a rebuild of everything else, the gates, the
  marts and the publication.
- `warehouse_full_rebuild`, Sundays at 03:00: `dbt build --full-refresh` of
  everything, without a partition window, then the publication. The run is
  recorded on the previous local day's partition.

The scheduled jobs build from the raw data currently in the warehouse
(`raw_data` is left out); a day after the last partition
(`partitions_last_day`) is skipped with the reason.
"""

from datetime import date, datetime

import dagster as dg

from orchestration.assets.dbt import FULL_REFRESH_TAG
from orchestration.assets.raw import RAW_DATA_KEY
from orchestration.partitions import previous_local_day
from redcat.pipeline import PipelineVars

MAIN_JOB = "redcat_run"
WAREHOUSE_SELECTION = dg.AssetSelection.all() - dg.AssetSelection.assets(RAW_DATA_KEY)

main_job = dg.define_asset_job(
    MAIN_JOB,
    selection=dg.AssetSelection.all(),
    tags={FULL_REFRESH_TAG: "true"},
    description=(
        "The main job (`redcat run`): raw data, dbt build --full-refresh of staging and "
        "intermediate, the publish gates and the data contract, the marts, the publication."
    ),
)

warehouse_daily_job = dg.define_asset_job(
    "warehouse_daily",
    selection=WAREHOUSE_SELECTION,
    description=(
        "dbt build of one local day's partition, the gates and contract, the marts, "
        "the publication."
    ),
)

warehouse_full_rebuild_job = dg.define_asset_job(
    "warehouse_full_rebuild",
    selection=WAREHOUSE_SELECTION,
    tags={FULL_REFRESH_TAG: "true"},
    description=(
        "dbt build --full-refresh of everything, the gates and contract, the marts, "
        "the publication."
    ),
)

JOBS = [main_job, warehouse_daily_job, warehouse_full_rebuild_job]


def _past_last_day(partition_key: str, settings: PipelineVars) -> dg.SkipReason | None:
    last = settings.partitions_last_day
    if last is not None and date.fromisoformat(partition_key) > last:
        return dg.SkipReason(
            f"no partition {partition_key}: the partitions end at {last.isoformat()} "
            "(dbt var partitions_last_day; null for a live feed)"
        )
    return None


def full_rebuild_request(scheduled_at: datetime, settings: PipelineVars) -> dg.RunRequest:
    """The weekly full rebuild, recorded on the previous local day's partition."""
    partition_key = previous_local_day(scheduled_at, settings.business_time_zone)
    return dg.RunRequest(run_key=f"full_rebuild_{partition_key}", partition_key=partition_key)


def build_schedules(settings: PipelineVars) -> list[dg.ScheduleDefinition]:
    time_zone = settings.business_time_zone

    @dg.schedule(
        name="warehouse_daily_schedule",
        job=warehouse_daily_job,
        cron_schedule="0 2 * * *",
        execution_timezone=time_zone,
        description="02:00 local time: builds and publishes the previous local day.",
    )
    def warehouse_daily_schedule(
        context: dg.ScheduleEvaluationContext,
    ) -> dg.RunRequest | dg.SkipReason:
        partition_key = previous_local_day(context.scheduled_execution_time, time_zone)
        skip = _past_last_day(partition_key, settings)
        return skip or dg.RunRequest(run_key=f"daily_{partition_key}", partition_key=partition_key)

    @dg.schedule(
        name="warehouse_weekly_full_rebuild",
        job=warehouse_full_rebuild_job,
        cron_schedule="0 3 * * 0",
        execution_timezone=time_zone,
        description="Sundays 03:00 local time: dbt build --full-refresh of everything.",
    )
    def warehouse_weekly_full_rebuild(
        context: dg.ScheduleEvaluationContext,
    ) -> dg.RunRequest | dg.SkipReason:
        request = full_rebuild_request(context.scheduled_execution_time, settings)
        return _past_last_day(str(request.partition_key), settings) or request

    return [warehouse_daily_schedule, warehouse_weekly_full_rebuild]
