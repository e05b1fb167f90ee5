"""Shared by the BI tests: a built and published warehouse, and the marts' own figures.

The expected figures here are read from the marts with SQL of their own and
rounded by the documented rules (yuan with two decimals, percentages with
one), never through `redcat.dashboard.data`, so the dashboard is checked
against the marts rather than against itself.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from redcat.generate import write_raw_dir
from redcat.run import RunReport, run
from redcat.warehouse import project_root

ROOT = project_root()
# Generated data big enough for the year-on-year effects the generator plants
# to show in the marts (test_generated_recovery.py says why 0.25): the session
# fixture `generated_published` (conftest.py).
GENERATED_SCALE = 0.25
GENERATED_SEED = 7
MODELS = ("last_touch", "first_touch", "linear", "time_decay", "position_based")


@dataclass(frozen=True)
class BuiltWarehouse:
    """A warehouse built by the main job, with its publication and dbt artefacts."""

    db_path: Path
    published: Path
    target_path: Path
    log_path: Path
    work: Path  # the folder that holds all of the above
    gx_root: Path  # the run's copy of the GX project, with its Data Docs
    report: RunReport


def build_and_publish(work: Path, raw_dir: Path | None = None) -> BuiltWarehouse:
    """`redcat run` (seeds, or `raw_dir`) into `work`: build, contract, marts, publication."""
    gx_root = work / "gx"
    shutil.copytree(ROOT / "gx", gx_root, ignore=shutil.ignore_patterns("uncommitted"))
    db_path = work / "warehouse" / "redcat.duckdb"
    target_path, log_path = work / "target", work / "logs"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(target_path))
        patch.setenv("DBT_LOG_PATH", str(log_path))
        report = run(raw_dir=raw_dir, db_path=db_path, gx_root=gx_root, echo=lambda _line: None)
    assert report.publication is not None
    return BuiltWarehouse(
        db_path, report.publication.database, target_path, log_path, work, gx_root, report
    )


def generate_build_and_publish(work: Path, scale: float, seed: int) -> BuiltWarehouse:
    """`redcat generate` into `work/raw` (its ground truth in `work/raw/_truth`), then
    `build_and_publish` of that raw directory."""
    raw_dir = work / "raw"
    write_raw_dir(raw_dir, scale, seed, progress=False)
    return build_and_publish(work, raw_dir=raw_dir)


def copy_of(built: BuiltWarehouse, to: Path) -> BuiltWarehouse:
    """The whole folder of `built` copied to `to`, for a test that runs the job again on
    it (the report stays the original run's)."""
    shutil.copytree(built.work, to)

    def moved(path: Path) -> Path:
        return to / path.relative_to(built.work)

    return BuiltWarehouse(
        moved(built.db_path),
        moved(built.published),
        moved(built.target_path),
        moved(built.log_path),
        to,
        moved(built.gx_root),
        built.report,
    )


def fetch(db_path: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# The documented rounding, written out again on purpose.
def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def change(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:+.1f}%"


def cny(value: Decimal | None) -> str:
    if value is None:
        return "n/a"
    return f"¥{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def two_decimals(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def latest_half_year(db_path: Path) -> str:
    ((name,),) = fetch(
        db_path,
        "select max(period_name) from marts.mart_industry_kpis_yoy where period_type = 'half_year'",
    )
    return str(name)


def expected_tiles(db_path: Path, period_name: str) -> dict[str, tuple[str, str | None]]:
    """KPI tile label -> (value, change) for the half-year over every industry."""
    ((ctr, ctr_yoy, ir, ir_yoy, ser, ser_yoy, jm, jm_yoy),) = fetch(
        db_path,
        "select ctr, ctr_yoy, interaction_rate, interaction_rate_yoy, store_entry_rate, "
        "store_entry_rate_yoy, joint_merchants_avg, joint_merchants_avg_yoy "
        "from marts.mart_industry_kpis_yoy "
        "where industry = 'all' and period_type = 'half_year' and period_name = ?",
        [period_name],
    )

    def delta(value: float | None) -> str | None:
        return None if value is None else f"{change(value)} YoY"

    return {
        "CTR": (pct(ctr), delta(ctr_yoy)),
        "Interaction rate": (pct(ir), delta(ir_yoy)),
        "Store-entry rate": (pct(ser), delta(ser_yoy)),
        "Joint-campaign merchants per day": (two_decimals(jm), delta(jm_yoy)),
    }


def expected_industry_labels(db_path: Path, period_name: str) -> list[str]:
    rows = fetch(
        db_path,
        "select ctr_yoy, interaction_rate_yoy, store_entry_rate_yoy "
        "from marts.mart_industry_kpis_yoy "
        "where period_type = 'half_year' and period_name = ? and industry <> 'all'",
        [period_name],
    )
    return sorted(change(value) for row in rows for value in row)


def period_bounds(db_path: Path, period_name: str) -> tuple[Any, Any]:
    ((start, end),) = fetch(
        db_path,
        "select period_start, period_end from marts.mart_industry_kpis_yoy "
        "where industry = 'all' and period_type = 'half_year' and period_name = ?",
        [period_name],
    )
    return start, end


def expected_funnel(
    db_path: Path, period_name: str, brand: str | None = None, platform: str | None = None
) -> dict[str, Any]:
    """Published funnel rows of the period: stage users per platform, orders, GMV, hidden rows."""
    start, end = period_bounds(db_path, period_name)
    where = "local_date between ? and ?"
    params: list[Any] = [start, end]
    if brand is not None:
        where += " and brand_name = ?"
        params.append(brand)
    if platform is not None:
        where += " and platform = ?"
        params.append(platform)
    rows = fetch(
        db_path,
        "select platform, coalesce(sum(reach_users), 0), coalesce(sum(engaged_users), 0), "
        "coalesce(sum(link_clicks), 0), coalesce(sum(store_entry_users), 0), "
        "coalesce(sum(buyers), 0), coalesce(sum(orders), 0), coalesce(sum(gmv_cny), 0), "
        "sum(case when is_suppressed then 1 else 0 end) "
        f"from marts.fct_seeding_funnel_daily where {where} group by platform order by platform",
        params,
    )
    return {
        "stages": {row[0]: [int(v) for v in row[1:6]] for row in rows},
        "orders": sum(int(row[6]) for row in rows),
        "gmv": cny(sum((Decimal(row[7]) for row in rows), Decimal("0"))),
        "suppressed_rows": sum(int(row[8]) for row in rows),
    }


def expected_models(db_path: Path, period_name: str) -> dict[str, tuple[str, str]]:
    """Model -> (attributed GMV of the period's orders, ROAS of the period's campaigns)."""
    start, end = period_bounds(db_path, period_name)
    gmv = dict(
        fetch(
            db_path,
            "select attribution_model, sum(attributed_gmv_cny) from marts.fct_attributed_orders "
            "where order_date between ? and ? group by 1",
            [start, end],
        )
    )
    roas = {
        model: (spend, attributed)
        for model, spend, attributed in fetch(
            db_path,
            "select attribution_model, sum(spend_cny), sum(attributed_gmv_cny) "
            "from marts.mart_campaign_roi where first_spend_date between ? and ? group by 1",
            [start, end],
        )
    }
    result = {}
    for model in MODELS:
        spend, attributed = roas.get(model, (None, None))
        ratio = float(attributed) / float(spend) if spend else None
        result[model] = (cny(gmv.get(model, Decimal("0"))), two_decimals(ratio))
    return result


def expected_monthly_labels(db_path: Path, attribution_model: str) -> dict[str, list[str]]:
    """Labels of the joint-merchant and closed-loop charts, month by month."""
    joint = fetch(
        db_path,
        "select joint_merchants_avg from marts.mart_industry_kpis_yoy "
        "where industry = 'all' and period_type = 'month' order by period_start",
    )
    loop = fetch(
        db_path,
        "select closed_loop_share from marts.mart_closed_loop_share "
        "where period_type = 'month' and attribution_model = ? order by period_start",
        [attribution_model],
    )
    return {
        "joint_merchants": [two_decimals(v) for (v,) in joint],
        "closed_loop": [pct(v) for (v,) in loop],
    }


def expected_closed_loop(db_path: Path, period_name: str, attribution_model: str) -> str:
    ((share,),) = fetch(
        db_path,
        "select closed_loop_share from marts.mart_closed_loop_share "
        "where period_type = 'half_year' and period_name = ? and attribution_model = ?",
        [period_name, attribution_model],
    )
    return pct(share)
