"""Daily partition runs of the incremental models, against a full rebuild of the same data.

The committed sample is replayed as two deliveries of raw data:

- day 1: everything before `DAY`, except half of the events, visits and
  orders of the three days before it (they will arrive late) and half of the
  note events of `FAR_DAY` (they will arrive too late for any lookback);
- day 2: everything up to and including `DAY`: the late rows have arrived,
  one visit comes late for a brand exposure older than the lookback, and one
  event of `RESENT_DAY` (a day no window of `DAY` holds or reads) comes again
  with `DAY`'s time: a conflicting copy, which rejects both copies.

Day 1 is built from scratch; day 2 is loaded and built as the daily
schedule builds it, with the partition vars of `DAY` only. Against a full
build of day 2's data in another warehouse:

- every row the partition run rebuilds (local days from `DAY` minus the
  attribution lookback; brand exposures from two lookbacks back, since a
  late touch can take a visit or order from an exposure a lookback before
  it) is identical, so late rows within the lookback land on their own day;
- the staging tables checked by day are identical but for the late events
  of `FAR_DAY`: the partition run checks its window and every copy of the keys
  in it, so the old copy of the conflicting event is rejected too;
- older rows are not rebuilt: the late events of `FAR_DAY` are missing
  until a `--full-refresh` (the weekly rebuild), after which every table of
  the warehouse is identical to the reference.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from checksums import Checksum, relation_checksum
from partition_replay import replay_deliveries, window_vars

from redcat.contract import RAW_TABLES
from redcat.warehouse import DbtRunError, connect, project_root, run_dbt

pytestmark = pytest.mark.slow

ROOT = project_root()
DAY = date(2025, 6, 18)
LOOKBACK_DAYS = 7  # click_lookback_days (7) and view_lookback_hours (24) in days
LATE_DAYS = 3  # rows of the days before DAY that arrive with DAY's delivery
FAR_DAY = DAY - timedelta(days=3 * LOOKBACK_DAYS)  # outside every window DAY rebuilds
# an event of this day comes again on DAY: the day before the first any model
# of DAY's run rebuilds or reads (brand exposures: two lookbacks)
RESENT_DAY = DAY - timedelta(days=2 * LOOKBACK_DAYS + 1)
# A day whose partition is run again on the reference (a backfill): days after
# its window hold data, as they do when an operator backfills a past day.
BACKFILL_DAY = DAY - timedelta(days=10)
# A taobao exposure of the committed sample (DAY - 9) with no store entry after
# its impression; day 2 delivers a late visit of its buyer to its shop on
# DAY - 5, a click lookback after the impression: the exposure, older than the
# lookback of DAY's partition run, gains the store entry.
ENTERED_EXPOSURE = (
    "taobao|xa_0e83145271c25034|"
    "344316792ab7cb7067c79076f6bfb44cc6756a90f2dfb2f77f85f099efa47e87|"
    f"{DAY - timedelta(days=9)}"
)
LATE_VISIT = {
    "visit_id": "tv_1a7e000000000001",
    "shop_id": "ts_2b1fce4ea96f6bde",
    "buyer_key": "4ddce766c6d6010a9b6ac8f3a715439ea7b7d0942fdd582484f9631efb73b84f",
    "visit_at": f"{DAY - timedelta(days=5)}T12:00:00+08:00",
    "channel": "other",
    "ref_note_id": None,
}
# 12:00 on DAY in Asia/Shanghai, as epoch milliseconds: the resent copy's time
RESENT_COPY_MS = int(datetime(DAY.year, DAY.month, DAY.day, 4, tzinfo=UTC).timestamp() * 1000)
BUILD = ["build", "--exclude", "resource_type:unit_test"]

# Local day of a raw row, per event-driven table, from its text as delivered.
SHANGHAI_DAY = "cast(timezone('Asia/Shanghai', {}) as date)"
LOCAL_DAY_SQL = {
    "xhs/note_events": SHANGHAI_DAY.format("to_timestamp(event_ms::bigint / 1000)"),
    "xhs/ad_spend_daily": "cast(spend_date as date)",
    "xhs/shop_orders": "cast(left(ordered_at, 10) as date)",
    "tb/visits": SHANGHAI_DAY.format("cast(visit_at as timestamptz)"),
    "tb/searches": SHANGHAI_DAY.format("cast(searched_at as timestamptz)"),
    "tb/orders": SHANGHAI_DAY.format("cast(paid_at as timestamptz)"),
    "jd/orders": SHANGHAI_DAY.format("to_timestamp(orderTime::bigint)"),
}
# Tables some of whose rows of the days before DAY arrive a day late.
LATE_TABLES = ("xhs/note_events", "tb/visits", "tb/orders", "jd/orders")

# The staging tables checked by day (checked_rows' partitioned_by) and their local-day column.
CHECKED_BY_DAY = {
    "base_xhs__note_events_checked": "event_date",
    "base_tb__visits_checked": "visited_date",
    "base_tb__searches_checked": "searched_date",
    "base_tb__orders_checked": "paid_date",
    "base_jd__orders_checked": "ordered_date",
}

# The incremental models and their local-day column.
INCREMENTAL_MODELS = {
    "int_touchpoints_classified": "event_date",
    "int_conversions_unified": "order_date",
    "int_touchpoints_joined_to_orders": "order_date",
    "int_attribution_credits_computed": "order_date",
    "int_note_days_aggregated": "local_date",
    "int_brand_exposures_tracked": "exposure_date",
    "fct_note_daily": "local_date",
    "fct_conversions": "order_date",
    "fct_attributed_orders": "order_date",
}
# Days before DAY a partition run rebuilds, per incremental model: the lookback,
# and for brand exposures one click lookback more.
REBUILT_DAYS = dict.fromkeys(INCREMENTAL_MODELS, LOOKBACK_DAYS) | {
    "int_brand_exposures_tracked": 2 * LOOKBACK_DAYS
}


def _schema(model: str) -> str:
    return "marts" if model.startswith("fct_") else "intermediate"


def _sql_date(day: date) -> str:
    return f"date '{day.isoformat()}'"


def _delivered(key: str, first_column: str, *, day: int) -> str:
    """SQL predicate: the rows of table `key` delivered by the end of day 1 or day 2."""
    local_day = LOCAL_DAY_SQL[key]
    if day == 2:
        return f"{local_day} <= {_sql_date(DAY)}"
    rule = f"{local_day} < {_sql_date(DAY)}"
    late = f"hash({first_column}) % 2 = 0"
    if key in LATE_TABLES:
        first_late_day = _sql_date(DAY - timedelta(days=LATE_DAYS))
        rule += f" and not ({late} and {local_day} >= {first_late_day})"
    if key == "xhs/note_events":
        rule += f" and not ({late} and {local_day} = {_sql_date(FAR_DAY)})"
    return rule


def write_delivery(out: Path, *, day: int) -> Path:
    """The committed sample as the raw directory delivered by the end of `day` (1 or 2)."""
    with duckdb.connect() as con:
        for table in RAW_TABLES:
            seed = ROOT / "seeds" / table.source / f"{table.relation}.csv"
            target = out / table.source / f"{table.name}.csv"
            target.parent.mkdir(parents=True, exist_ok=True)
            if table.key not in LOCAL_DAY_SQL:
                shutil.copy(seed, target)
                continue
            rule = _delivered(table.key, table.column_names[0], day=day)
            rows = f"select * from read_csv('{seed}', header = true, all_varchar = true)"
            delivered = f"{rows} where {rule}"
            if day == 2 and table.key == "xhs/note_events":
                delivered += (
                    " union all select event_id, note_id, user_key, event_type, "
                    f"'{RESENT_COPY_MS}' from ({rows}) where event_id = '{resent_event_id()}'"
                )
            if day == 2 and table.key == "tb/visits":
                values = ", ".join(
                    "null" if value is None else f"'{value}'" for value in LATE_VISIT.values()
                )
                delivered += f" union all select {values}"
            con.execute(f"copy ({delivered}) to '{target}' (header true)")
    return out


def resent_event_id() -> str:
    """The event of RESENT_DAY that day 2 delivers again with DAY's time: the first by id."""
    seed = ROOT / "seeds" / "xhs" / "xhs__note_events.csv"
    local_day = LOCAL_DAY_SQL["xhs/note_events"]
    with duckdb.connect() as con:
        row = con.execute(
            f"select min(event_id) from read_csv('{seed}', header = true, all_varchar = true) "
            f"where {local_day} = {_sql_date(RESENT_DAY)}"
        ).fetchone()
    assert row is not None and row[0] is not None
    return str(row[0])


def _number(db_path: Path, sql: str) -> int:
    """The one number `sql` returns (not null)."""
    with connect(db_path, read_only=True) as con:
        row = con.execute(sql).fetchone()
    assert row is not None and row[0] is not None
    return int(row[0])


def table_checksums(db_path: Path, *, rebuilt_only: bool = False) -> dict[str, Checksum]:
    """Per table of schemas intermediate and marts: (rows, order-free sum of row hashes).

    With `rebuilt_only`, only the incremental models, restricted to the rows
    of the local days DAY's partition run rebuilds (REBUILT_DAYS).
    """
    with connect(db_path, read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('intermediate', 'marts') and table_type = 'BASE TABLE' "
            "order by all"
        ).fetchall()
        checksums: dict[str, Checksum] = {}
        for schema, name in tables:
            where = "true"
            if rebuilt_only:
                if name not in INCREMENTAL_MODELS:
                    continue
                since = DAY - timedelta(days=REBUILT_DAYS[name])
                where = f"{INCREMENTAL_MODELS[name]} >= {_sql_date(since)}"
            checksums[f"{schema}.{name}"] = relation_checksum(con, f'{schema}."{name}"', where)
    return checksums


def checked_checksums(db_path: Path, *, except_day: date) -> dict[str, Checksum]:
    """Per staging table checked by day: (rows, order-free sum of row hashes), all days but one."""
    with connect(db_path, read_only=True) as con:
        return {
            name: relation_checksum(
                con, f'staging."{name}"', f"{local_day} is distinct from {_sql_date(except_day)}"
            )
            for name, local_day in CHECKED_BY_DAY.items()
        }


def event_copies(db_path: Path, event_id: str) -> list[tuple[date, str | None]]:
    """(local day, rejection rule) of every delivered copy of note event `event_id`."""
    with connect(db_path, read_only=True) as con:
        rows = con.execute(
            "select event_date, rejection_rule from staging.base_xhs__note_events_checked "
            "where row_key = ? order by event_date",
            [event_id],
        ).fetchall()
    return [(day, rule) for day, rule in rows]


def checked_rows_on(db_path: Path, day: date) -> int:
    """Rows of staging.base_xhs__note_events_checked on local day `day`."""
    return _number(
        db_path,
        "select count(*) from staging.base_xhs__note_events_checked "
        f"where event_date = {_sql_date(day)}",
    )


def note_events_on(db_path: Path, day: date) -> int:
    """Events counted by fct_note_daily on local day `day`."""
    return _number(
        db_path,
        "select sum(impressions + reads + likes + saves + comments + shares) "
        f"from marts.fct_note_daily where local_date = {_sql_date(day)}",
    )


def store_entry_after_impression(db_path: Path, exposure_id: str) -> bool:
    """has_store_entry_after_impression of one brand exposure."""
    return bool(
        _number(
            db_path,
            "select cast(has_store_entry_after_impression as integer) "
            f"from intermediate.int_brand_exposures_tracked where exposure_id = '{exposure_id}'",
        )
    )


def unchecked_rows(db_path: Path) -> dict[str, int]:
    """Delivered rows not checked yet, per raw table that has any (stg_quarantine__row_counts)."""
    with connect(db_path, read_only=True) as con:
        rows = con.execute(
            "select source_table, unchecked_rows from staging.stg_quarantine__row_counts "
            "where raw_rows <> accepted_rows + quarantined_rows or unchecked_rows <> 0"
        ).fetchall()
    return {str(table): int(count) for table, count in rows}


def duplicated_rows(db_path: Path) -> dict[str, int]:
    """Rows that appear more than once, per incremental model."""
    with connect(db_path, read_only=True) as con:
        found = {}
        for name in INCREMENTAL_MODELS:
            relation = f"{_schema(name)}.{name}"
            row = con.execute(
                f"select count(*) - (select count(*) from (select distinct * from {relation})) "
                f"from {relation}"
            ).fetchone()
            assert row is not None
            found[name] = int(row[0])
    return found


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Day 1 built from scratch and day 2 built as DAY's partition; day 2 built whole."""
    work = tmp_path_factory.mktemp("incremental")
    env = {"DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")}
    day1 = write_delivery(work / "day1", day=1)
    day2 = write_delivery(work / "day2", day=2)

    builds = replay_deliveries(work, day1, day2, dbt_args=BUILD, day=DAY, env=env)
    after_full_refresh = work / "after_full_refresh.duckdb"
    shutil.copy(builds.after_partition, after_full_refresh)
    run_dbt([*BUILD, "--full-refresh"], db_path=after_full_refresh, extra_env=env)

    backfill = work / "backfill.duckdb"
    shutil.copy(builds.reference, backfill)
    run_dbt(
        [*BUILD, "--vars", json.dumps(window_vars(BACKFILL_DAY))], db_path=backfill, extra_env=env
    )
    return {
        "day1_raw": day1,
        "day2_raw": day2,
        "reference": builds.reference,
        "day1": builds.early,
        "after_partition": builds.after_partition,
        "after_full_refresh": after_full_refresh,
        "backfill": backfill,
    }


def rows_on_days(
    con: duckdb.DuckDBPyConnection, raw_dir: Path, key: str, first: date, last: date
) -> int:
    """Rows of table `key` in `raw_dir` whose local day is in [first, last]."""
    local_day = LOCAL_DAY_SQL[key]
    row = con.execute(
        f"select count(*) from read_csv('{raw_dir / key}.csv', header = true, "
        f"all_varchar = true) where {local_day} between {_sql_date(first)} and {_sql_date(last)}"
    ).fetchone()
    assert row is not None
    return int(row[0])


def late_rows(day1: Path, day2: Path) -> dict[str, dict[str, int]]:
    """Per late table, the rows day 2 delivers for the late days and FAR_DAY that day 1 did not."""
    spans = {
        "late": (DAY - timedelta(days=LATE_DAYS), DAY - timedelta(days=1)),
        "beyond_lookback": (FAR_DAY, FAR_DAY),
    }
    with duckdb.connect() as con:
        return {
            key: {
                name: rows_on_days(con, day2, key, *span) - rows_on_days(con, day1, key, *span)
                for name, span in spans.items()
            }
            for key in LATE_TABLES
        }


def test_rows_arrive_late_within_and_beyond_the_lookback(deliveries: dict[str, Path]) -> None:
    assert late_rows(deliveries["day1_raw"], deliveries["day2_raw"]) == {
        "xhs/note_events": {"late": 61, "beyond_lookback": 118},
        "tb/visits": {"late": 27, "beyond_lookback": 0},
        "tb/orders": {"late": 18, "beyond_lookback": 0},
        "jd/orders": {"late": 4, "beyond_lookback": 0},
    }


def test_partition_run_equals_a_full_build_from_the_lookback_on(
    deliveries: dict[str, Path],
) -> None:
    rebuilt = table_checksums(deliveries["after_partition"], rebuilt_only=True)
    expected = table_checksums(deliveries["reference"], rebuilt_only=True)
    assert set(rebuilt) == {f"{_schema(m)}.{m}" for m in INCREMENTAL_MODELS}
    assert rebuilt == expected
    # the day-1 warehouse had none of DAY and half of the late days: not a trivial match
    assert table_checksums(deliveries["day1"], rebuilt_only=True) != expected
    assert all(rows > 0 for rows, _ in expected.values())


def test_partition_run_rebuilds_the_exposures_a_late_visit_reaches(
    deliveries: dict[str, Path],
) -> None:
    entered = {
        name: store_entry_after_impression(deliveries[name], ENTERED_EXPOSURE)
        for name in ("day1", "after_partition", "reference")
    }
    assert entered == {"day1": False, "after_partition": True, "reference": True}


def test_partition_run_leaves_older_days_alone_until_a_full_refresh(
    deliveries: dict[str, Path],
) -> None:
    day1 = note_events_on(deliveries["day1"], FAR_DAY)
    after_partition = note_events_on(deliveries["after_partition"], FAR_DAY)
    reference = note_events_on(deliveries["reference"], FAR_DAY)
    assert after_partition == day1
    assert reference > day1

    assert table_checksums(deliveries["after_full_refresh"]) == table_checksums(
        deliveries["reference"]
    )


def test_backfilling_a_past_day_changes_nothing(deliveries: dict[str, Path]) -> None:
    # the window's rows are rebuilt from inputs that go on after it (visits and
    # orders after an exposure, the later exposures that outrank it)
    assert table_checksums(deliveries["backfill"]) == table_checksums(deliveries["reference"])


def test_partition_run_leaves_no_duplicates(deliveries: dict[str, Path]) -> None:
    assert duplicated_rows(deliveries["after_partition"]) == dict.fromkeys(INCREMENTAL_MODELS, 0)


def test_partition_run_checks_every_copy_of_the_keys_in_its_window(
    deliveries: dict[str, Path],
) -> None:
    event_id = resent_event_id()
    conflict = "conflicting_duplicate_key"
    assert event_copies(deliveries["day1"], event_id) == [(RESENT_DAY, None)]
    expected = [(RESENT_DAY, conflict), (DAY, conflict)]
    assert event_copies(deliveries["reference"], event_id) == expected
    # the old copy is on a day the window does not hold, and is rejected all the same
    assert event_copies(deliveries["after_partition"], event_id) == expected

    rebuilt = checked_checksums(deliveries["after_partition"], except_day=FAR_DAY)
    assert rebuilt == checked_checksums(deliveries["reference"], except_day=FAR_DAY)
    assert rebuilt != checked_checksums(deliveries["day1"], except_day=FAR_DAY)
    # the 118 late events of FAR_DAY wait for the full rebuild
    far_day = {
        name: checked_rows_on(deliveries[name], FAR_DAY)
        for name in ("day1", "after_partition", "reference")
    }
    assert far_day["after_partition"] == far_day["day1"] == far_day["reference"] - 118
    # and the row counts say so: delivered = accepted + quarantined + not checked yet
    assert unchecked_rows(deliveries["after_partition"]) == {"xhs__note_events": 118}
    assert unchecked_rows(deliveries["after_full_refresh"]) == {}


def unique_test_failures(db_path: Path, work: Path, *, window: bool) -> dict[str, int]:
    """Failures of each unique_in_partition_window test by model, with DAY's window or not."""
    env = {"DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")}
    args = ["test", "--select", "test_name:unique_in_partition_window"]
    if window:
        args += ["--vars", json.dumps(window_vars(DAY))]
    with contextlib.suppress(DbtRunError):  # a failing test: its count is in run_results.json
        run_dbt(args, db_path=db_path, extra_env=env)
    target = work / "target"
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {
        nodes[result["unique_id"]]["attached_node"].split(".")[-1]: int(result["failures"] or 0)
        for result in results
        if result["unique_id"].startswith("test.")
    }


def test_unique_tests_count_the_rebuilt_days_on_a_partition_run(
    deliveries: dict[str, Path], tmp_path: Path
) -> None:
    """A touch copied on DAY fails the partition run's unique test; one copied on
    FAR_DAY (a day the run did not write) only the test of a run without the window."""
    warehouse = tmp_path / "duplicated.duckdb"
    shutil.copy(deliveries["after_partition"], warehouse)
    with connect(warehouse) as con:
        for day in (DAY, FAR_DAY):
            con.execute(
                "insert into intermediate.int_touchpoints_classified "
                "select * from intermediate.int_touchpoints_classified "
                f"where event_date = {_sql_date(day)} order by event_id limit 1"
            )
    tested = {
        "stg_xhs__note_events",
        "stg_tb__visits",
        "stg_tb__searches",
        "stg_tb__orders",
        "stg_jd__orders",
        "int_touchpoints_classified",
        "int_brand_exposures_tracked",
        "int_conversions_unified",
        "int_note_days_aggregated",
        "int_touchpoints_joined_to_orders",
        "int_attribution_credits_computed",
        "fct_note_daily",
        "fct_conversions",
        "fct_attributed_orders",
    }
    clean = dict.fromkeys(tested, 0)
    assert unique_test_failures(warehouse, tmp_path, window=True) == clean | {
        "int_touchpoints_classified": 1
    }
    assert unique_test_failures(warehouse, tmp_path, window=False) == clean | {
        "int_touchpoints_classified": 2
    }


PERIOD_COLUMNS = (
    "impressions, reads, interactions, exposed_user_brands, entered_user_brands, "
    "store_entry_base_users, store_entry_users, joint_merchant_days, covered_days"
)


def period_rows(db_path: Path, period_id: str) -> dict[tuple[str, str], dict[str, object]]:
    """(industry, window_kind) -> the measures of one period of int_industry_periods_measured."""
    names = [name.strip() for name in PERIOD_COLUMNS.split(",")]
    with connect(db_path, read_only=True) as con:
        rows = con.execute(
            f"select industry, window_kind, window_start, window_end, {PERIOD_COLUMNS} "
            "from intermediate.int_industry_periods_measured where period_id = ?",
            [period_id],
        ).fetchall()
    return {
        (str(industry), str(kind)): dict(
            zip(["window_start", "window_end", *names], values, strict=True)
        )
        for industry, kind, *values in rows
    }


def period_differences(
    rows: dict[tuple[str, str], dict[str, object]],
    expected: dict[tuple[str, str], dict[str, object]],
) -> dict[tuple[str, str], dict[str, tuple[object, object]]]:
    """Per row, the measures that differ from `expected`: (value, expected value)."""
    assert rows.keys() == expected.keys()
    found = {
        key: {
            name: (value, expected[key][name])
            for name, value in row.items()
            if value != expected[key][name]
        }
        for key, row in rows.items()
    }
    return {key: differences for key, differences in found.items() if differences}


def period_checksums(db_path: Path) -> dict[str, Checksum]:
    """Per period of int_industry_periods_measured: (rows, order-free sum of row hashes)."""
    with connect(db_path, read_only=True) as con:
        periods = con.execute(
            "select distinct period_id from intermediate.int_industry_periods_measured"
        ).fetchall()
        return {
            str(period): relation_checksum(
                con, "intermediate.int_industry_periods_measured", f"period_id = '{period}'"
            )
            for (period,) in periods
        }


def test_partition_run_measures_again_the_periods_its_days_reach(
    deliveries: dict[str, Path],
) -> None:
    """DAY's run rebuilds exposures from DAY - 14 (2025-06-04): June 2025 and the
    first half of 2025 are measured again, every other period keeps its rows."""
    day1 = period_checksums(deliveries["day1"])
    after = period_checksums(deliveries["after_partition"])
    assert set(after) == set(day1) == set(period_checksums(deliveries["reference"]))
    changed = {period for period in after if after[period] != day1[period]}
    assert changed == {"month|2025-06-01", "half_year|2025-01-01"}
    # June against the full build: the same but for the old copy of the
    # re-sent event (a read of a beauty note on RESENT_DAY), rejected by the
    # staging check but still counted by the note days of RESENT_DAY until the
    # full rebuild (test_partition_run_checks_every_copy_of_the_keys_in_its_window)
    june = "month|2025-06-01"
    assert period_differences(
        period_rows(deliveries["after_partition"], june),
        period_rows(deliveries["reference"], june),
    ) == {("beauty", "current"): {"reads": (24, 23)}, ("all", "current"): {"reads": (98, 97)}}
