"""Plausibility bounds of the raw contract (docs/sources.md, var raw_contract).

A value that parses but cannot be real (an order line of 10^15 fen, an event
at epoch 0, a spend of 10^15 yuan a day) is quarantined under its own rule,
`<column>_implausible`, like every other bad row, and the calendar is built
from the accepted rows only, so it does not start in 1970.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
from rawdirs import table_rows, write_table

from redcat.contract import RAW_TABLES
from redcat.load import load_raw_dir
from redcat.warehouse import run_dbt

ROWS_PER_TABLE = 8
EPOCH_1970 = "1970-01-01T08:00:00+08:00"


def query(db_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_implausible_values_are_quarantined_by_rule_and_the_calendar_ignores_them(
    tmp_path: Path, db_path: Path
) -> None:
    rows = {raw_table.key: table_rows(raw_table, ROWS_PER_TABLE) for raw_table in RAW_TABLES}
    tb_orders = rows["tb/orders"]
    tb_orders[0]["pay_fen"] = 10**15
    tb_orders[1]["quantity"] = 1_000_000
    tb_orders[2]["paid_at"] = EPOCH_1970
    tb_orders[3]["discount_fen"] = 10**12
    rows["tb/items"][0]["price_fen"] = 10**15
    rows["xhs/note_events"][0]["event_ms"] = 0
    rows["xhs/ad_spend_daily"][0]["spend_cny"] = Decimal(10**15)
    rows["xhs/shop_orders"][0]["gmv_cny"] = Decimal(10**12)
    rows["xhs/accounts"][0]["created_at"] = "1970-01-01 08:00:00"
    rows["jd/orders"][0]["orderTime"] = 0
    rows["jd/orders"][1]["amount"] = "1000000000000.00"
    rows["shared/user_matches"][0]["matched_at"] = EPOCH_1970
    raw = tmp_path / "raw"
    for raw_table in RAW_TABLES:
        write_table(raw, raw_table, rows[raw_table.key])
    load_raw_dir(raw, db_path)

    run_dbt(
        ["run", "--select", "+stg_quarantine__rejected_rows", "+int_days_spined"],
        db_path=db_path,
    )

    implausible = query(
        db_path,
        "select source_table, rejection_rule, count(*) from staging.stg_quarantine__rejected_rows "
        "where rejection_rule like '%implausible' group by all order by all",
    )
    assert implausible == [
        ("jd__orders", "amount_implausible", 1),
        ("jd__orders", "order_time_implausible", 1),
        ("shared__user_matches", "matched_at_implausible", 1),
        ("tb__items", "price_fen_implausible", 1),
        ("tb__orders", "discount_fen_implausible", 1),
        ("tb__orders", "paid_at_implausible", 1),
        ("tb__orders", "pay_fen_implausible", 1),
        ("tb__orders", "quantity_implausible", 1),
        ("xhs__accounts", "created_at_implausible", 1),
        ("xhs__ad_spend_daily", "spend_cny_implausible", 1),
        ("xhs__note_events", "event_ms_implausible", 1),
        ("xhs__shop_orders", "gmv_cny_implausible", 1),
    ]
    # the calendar spans the accepted rows' days only: the first note event
    # left (2024-03-01 01:00 UTC) to the last tb order paid (2024-03-08)
    assert query(
        db_path, "select min(date_day), max(date_day) from intermediate.int_days_spined"
    ) == [(date(2024, 3, 1), date(2024, 3, 8))]
