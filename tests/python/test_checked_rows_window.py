"""A partition run's staging check of raw times delivered as integer epochs.

When xhs note events (`event_ms`) and JD orders (`orderTime`) arrive as
integer columns, the partition run's scan for the keys of its window first
keeps the rows whose integer is within a day of the window, broken, or at or
past a plausibility bound (raw_epoch_prefilter), and only then parses and
places them. Rows at the window's edges, to the millisecond and the second,
and every kind of broken integer time are delivered late, with a conflicting
copy of a window event on an old day; the partition run must check exactly
the rows a full build of the same data places in its window, the broken rows
and both copies, and nothing else.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from partition_replay import replay_deliveries

from redcat.contract import RAW_TABLES
from redcat.warehouse import connect, project_root

pytestmark = pytest.mark.slow

ROOT = project_root()
DAY = date(2025, 6, 18)
# The window of DAY's partition run: local days DAY - 7 to DAY, Asia/Shanghai
# (UTC+8), so from 16:00 UTC the day before its first day.
WINDOW_START = datetime(2025, 6, 10, 16, tzinfo=UTC)
WINDOW_END = datetime(2025, 6, 18, 16, tzinfo=UTC)
START_MS = int(WINDOW_START.timestamp()) * 1000
END_MS = int(WINDOW_END.timestamp()) * 1000
YEAR_2100_S = 4_102_444_800
# A day no window of DAY's run holds: the old copy of a re-sent event goes there.
OLD_DAY_MS = int(datetime(2025, 5, 1, 4, tzinfo=UTC).timestamp()) * 1000

# Late note events: event_id -> event_ms (None: no time)
LATE_EVENTS: dict[str, int | None] = {
    "ev_edge_first_ms": START_MS,
    "ev_edge_before_window": START_MS - 1,
    "ev_edge_last_ms": END_MS - 1,
    "ev_edge_after_window": END_MS,
    "ev_time_missing": None,
    "ev_time_negative": -5,
    "ev_time_14_digits": 10**13,
    "ev_time_1970": 1_000,
    "ev_time_2100": YEAR_2100_S * 1000,
}
# Late JD orders: orderId -> orderTime (epoch seconds)
LATE_ORDERS: dict[str, int | None] = {
    "9000000000000000001": START_MS // 1000,
    "9000000000000000002": START_MS // 1000 - 1,
    "9000000000000000003": END_MS // 1000 - 1,
    "9000000000000000004": END_MS // 1000,
    "9000000000000000005": None,
    "9000000000000000006": -1,
    "9000000000000000007": 10**10,
    "9000000000000000008": YEAR_2100_S,
}
# The rows a full build places outside DAY's window, which its partition run leaves unchecked
OUTSIDE_WINDOW = {
    "base_xhs__note_events_checked": {"ev_edge_before_window", "ev_edge_after_window"},
    "base_jd__orders_checked": {"9000000000000000002", "9000000000000000004"},
}
MODELS = ["base_xhs__note_events", "base_xhs__note_events_checked"]
MODELS += ["base_jd__orders", "base_jd__orders_checked"]


def _seed_rows(table_key: str) -> str:
    source, name = table_key.split("/")
    seed = ROOT / "seeds" / source / f"{source}__{name}.csv"
    return f"select * from read_csv('{seed}', header = true, all_varchar = true)"


def resent_event_id() -> str:
    """The first note event of the sample, by id, on DAY (inside the window)."""
    with duckdb.connect() as con:
        row = con.execute(
            f"select min(event_id) from ({_seed_rows('xhs/note_events')}) "
            f"where to_timestamp(event_ms::bigint / 1000) >= '{WINDOW_END - timedelta(days=1)}' "
            f"and to_timestamp(event_ms::bigint / 1000) < '{WINDOW_END}'"
        ).fetchone()
    assert row is not None and row[0] is not None
    return str(row[0])


def _values(rows: dict[str, int | None]) -> str:
    return ", ".join(f"('{key}', {'null' if time is None else time})" for key, time in rows.items())


def write_delivery(out: Path, *, late: bool) -> Path:
    """The committed sample with note events and JD orders as Parquet, their times as
    bigint; with `late`, the late rows and the old copy of the re-sent event too."""
    with duckdb.connect() as con:
        for table in RAW_TABLES:
            target_dir = out / table.source
            target_dir.mkdir(parents=True, exist_ok=True)
            seed = ROOT / "seeds" / table.source / f"{table.relation}.csv"
            if table.key == "xhs/note_events":
                rows = (
                    "select event_id, note_id, user_key, event_type, cast(event_ms as bigint) "
                    f"as event_ms from ({_seed_rows(table.key)})"
                )
                if late:
                    template = f"(select * from ({_seed_rows(table.key)}) limit 1) as t"
                    rows += (
                        " union all select late.id, t.note_id, t.user_key, t.event_type, "
                        f"late.ms from (values {_values(LATE_EVENTS)}) as late (id, ms), {template}"
                        " union all select event_id, note_id, user_key, event_type, "
                        f"{OLD_DAY_MS} from ({_seed_rows(table.key)}) "
                        f"where event_id = '{resent_event_id()}'"
                    )
            elif table.key == "jd/orders":
                columns = "orderId, pinHash, venderId, skuId, spuId, amount"
                rows = (
                    f"select {columns}, cast(orderTime as bigint) as orderTime, orderState, "
                    f"sourceNoteId from ({_seed_rows(table.key)})"
                )
                if late:
                    template = f"(select * from ({_seed_rows(table.key)}) limit 1) as t"
                    rows += (
                        " union all select late.id, t.pinHash, t.venderId, t.skuId, t.spuId, "
                        "t.amount, late.s, t.orderState, t.sourceNoteId "
                        f"from (values {_values(LATE_ORDERS)}) as late (id, s), {template}"
                    )
            else:
                shutil.copy(seed, target_dir / f"{table.name}.csv")
                continue
            con.execute(f"copy ({rows}) to '{target_dir / table.name}.parquet' (format parquet)")
    return out


def checked_rows(db_path: Path, model: str) -> set[tuple[object, ...]]:
    """Every row of a staging _checked table."""
    with connect(db_path, read_only=True) as con:
        return set(con.execute(f'select * from staging."{model}"').fetchall())


def rules_of(db_path: Path, model: str, keys: list[str]) -> dict[str, str | None]:
    """row_key -> rejection_rule of the given keys (each checked once)."""
    with connect(db_path, read_only=True) as con:
        rows = con.execute(
            f'select row_key, rejection_rule from staging."{model}" where row_key in '
            f"({', '.join('?' for _ in keys)})",
            keys,
        ).fetchall()
    return {str(key): rule for key, rule in rows}


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A full build of the late delivery, and the partition run of DAY after the early one."""
    work = tmp_path_factory.mktemp("checked_rows_window")
    env = {"DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")}
    early = write_delivery(work / "early", late=False)
    late = write_delivery(work / "late", late=True)
    builds = replay_deliveries(
        work, early, late, dbt_args=["run", "--select", *MODELS], day=DAY, env=env
    )
    return {
        "reference": builds.reference,
        "early": builds.early,
        "daily": builds.after_partition,
        "target": work / "target",
    }


def test_the_times_arrive_as_integers_and_the_scan_filters_on_them(
    builds: dict[str, Path],
) -> None:
    with connect(builds["daily"], read_only=True) as con:
        types = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and column_name in ('event_ms', 'orderTime') "
            "order by table_name"
        ).fetchall()
    assert types == [
        ("jd__orders", "orderTime", "BIGINT"),
        ("xhs__note_events", "event_ms", "BIGINT"),
    ]
    compiled = {
        path.stem: path.read_text()
        for path in (builds["target"] / "compiled").rglob("base_*_checked.sql")
        if path.stem in OUTSIDE_WINDOW
    }
    # a day before the window's first day and after its last, midnight UTC
    prefilters = {
        "base_xhs__note_events_checked": '"event_ms" between 1749513600000 and 1750377600000',
        "base_jd__orders_checked": '"orderTime" between 1749513600 and 1750377600',
    }
    assert {model: prefilters[model] in sql for model, sql in compiled.items()} == dict.fromkeys(
        prefilters, True
    )


@pytest.mark.parametrize("model", sorted(OUTSIDE_WINDOW))
def test_partition_run_checks_what_a_full_build_places_in_its_window(
    builds: dict[str, Path], model: str
) -> None:
    daily = checked_rows(builds["daily"], model)
    reference = checked_rows(builds["reference"], model)
    assert daily - reference == set()
    # row_key is the last column but one
    assert {row[-2] for row in reference - daily} == OUTSIDE_WINDOW[model]
    assert len(checked_rows(builds["early"], model)) < len(daily)


def test_broken_integer_times_and_both_copies_are_rejected(builds: dict[str, Path]) -> None:
    events = rules_of(builds["daily"], "base_xhs__note_events_checked", list(LATE_EVENTS))
    assert events == {
        "ev_edge_first_ms": None,
        "ev_edge_last_ms": None,
        "ev_time_missing": "event_ms_missing",
        "ev_time_negative": "event_ms_not_epoch_milliseconds",
        "ev_time_14_digits": "event_ms_not_epoch_milliseconds",
        "ev_time_1970": "event_ms_implausible",
        "ev_time_2100": "event_ms_in_future",
    }
    orders = rules_of(builds["daily"], "base_jd__orders_checked", list(LATE_ORDERS))
    assert orders == {
        "9000000000000000001": None,
        "9000000000000000003": None,
        "9000000000000000005": "order_time_missing",
        "9000000000000000006": "order_time_not_epoch_seconds",
        "9000000000000000007": "order_time_not_epoch_seconds",
        "9000000000000000008": "order_time_in_future",
    }
    with connect(builds["daily"], read_only=True) as con:
        copies = con.execute(
            "select event_date, rejection_rule from staging.base_xhs__note_events_checked "
            "where row_key = ? order by event_date",
            [resent_event_id()],
        ).fetchall()
    assert copies == [
        (date(2025, 5, 1), "conflicting_duplicate_key"),
        (DAY, "conflicting_duplicate_key"),
    ]
