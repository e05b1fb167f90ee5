"""Daily partitions of the event-driven dbt models, and the dbt vars a partition passes.

A partition is one Asia/Shanghai business day (the `*_date` columns of the
warehouse). A run over a partition, or over a range of partitions, passes the
window to dbt as

    --vars '{"partition_start_date": "2025-05-13", "partition_end_date": "2025-05-14"}'

`partition_start_date` is the first local day of the window and
`partition_end_date` the local day after the last one (half-open, like
Dagster's time windows): a model selects `event_date >= start and
event_date < end`, widened by its own lookback. Full-table models ignore the
vars; a run without a partition (the weekly full rebuild, a materialisation
of everything from the UI) passes none.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

BUSINESS_TIME_ZONE = "Asia/Shanghai"
PARTITIONS_START_DATE = "2024-01-01"

PARTITION_START_VAR = "partition_start_date"
PARTITION_END_VAR = "partition_end_date"

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=PARTITIONS_START_DATE,
    timezone=BUSINESS_TIME_ZONE,
)

# The dbt models whose rows each belong to one local day of source events
# (events, visits, searches, orders, spend days) and everything built from
# them at a day grain. These are daily-partitioned assets; every other model
# (dimensions, periods, year-on-year KPIs, quarantine, the account links and
# the identity bridge) is rebuilt whole on every run.
EVENT_DRIVEN_MODELS: tuple[str, ...] = (
    # staging: one row per delivered event, visit, search, order or spend day
    "base_xhs__note_events",
    "base_xhs__note_events_checked",
    "stg_xhs__note_events",
    "base_xhs__ad_spend_daily",
    "base_xhs__ad_spend_daily_checked",
    "stg_xhs__ad_spend_days",
    "base_xhs__shop_orders",
    "base_xhs__shop_orders_checked",
    "stg_xhs__shop_orders",
    "base_tb__visits",
    "base_tb__visits_checked",
    "stg_tb__visits",
    "base_tb__searches",
    "base_tb__searches_checked",
    "stg_tb__searches",
    "base_tb__orders",
    "base_tb__orders_checked",
    "stg_tb__orders",
    "base_jd__orders",
    "base_jd__orders_checked",
    "stg_jd__orders",
    # intermediate: touches, conversions and credits (an order's day plus the
    # attribution lookback), and the day-grain aggregates
    "int_touchpoints_classified",
    "int_conversions_unified",
    "int_touchpoints_joined_to_orders",
    "int_attribution_credits_computed",
    "int_campaign_credits_allocated",
    "int_brand_exposures_tracked",
    "int_note_days_aggregated",
    "int_funnel_days_aggregated",
    "int_brand_spend_days_aggregated",
    # marts: the daily facts
    "fct_note_daily",
    "fct_seeding_funnel_daily",
    "fct_conversions",
    "fct_attributed_orders",
    "mart_joint_campaign_merchants",
)


def _local_date(moment: datetime) -> str:
    """The Asia/Shanghai calendar day of `moment`, as `YYYY-MM-DD`."""
    return moment.astimezone(ZoneInfo(BUSINESS_TIME_ZONE)).date().isoformat()


def partition_vars(window: dg.TimeWindow) -> dict[str, str]:
    """The dbt vars for a partition's (or a partition range's) time window."""
    return {
        PARTITION_START_VAR: _local_date(window.start),
        PARTITION_END_VAR: _local_date(window.end),
    }


def vars_for_partition_key(partition_key: str) -> Mapping[str, str]:
    """The dbt vars one daily partition passes, e.g. for `2025-05-13`."""
    return partition_vars(daily_partitions.time_window_for_partition_key(partition_key))
