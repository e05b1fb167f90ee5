"""What the dashboard shows, computed from the published marts: plain Python, no Streamlit.

Every figure comes from the published copy of schema `marts`
(`warehouse/published/redcat_marts.duckdb`, see `redcat.publish`), read
through a read-only connection that lives for one query only. The copy is
replaced by a rename when a build publishes, so a reader never holds a lock a
build needs, and never sees a half-written publication.

Figures follow the marts' own definitions and privacy floor: rates come
straight from the KPI marts, totals add up the published rows only (a
suppressed row has null counts and is counted in `suppressed_rows`). Shown
money has two decimals (yuan), percentages one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from redcat.publish import MARTS_SCHEMA, published_dir
from redcat.warehouse import warehouse_path

# Set by `redcat dashboard` for the Streamlit page; default: the publication
# beside the warehouse (REDCAT_DUCKDB_PATH).
PUBLISHED_DB_ENV = "REDCAT_PUBLISHED_DB"
PUBLISHED_DB_NAME = "redcat_marts.duckdb"

ATTRIBUTION_MODELS = ("last_touch", "first_touch", "linear", "time_decay", "position_based")
MODEL_LABELS = {
    "last_touch": "last touch",
    "first_touch": "first touch",
    "linear": "linear",
    "time_decay": "time decay",
    "position_based": "position-based",
}
PLATFORMS = ("taobao", "jd")
# The funnel's stages: (column of fct_seeding_funnel_daily, label), in order.
FUNNEL_STAGES = (
    ("reach_users", "1 impression"),
    ("engaged_users", "2 engaged"),
    ("link_clicks", "3 link click"),
    ("store_entry_users", "4 store entry"),
    ("buyers", "5 order"),
)
ALL_INDUSTRIES = "all"


class PublicationMissingError(FileNotFoundError):
    """No published copy of the marts at the expected path."""


def published_database(environ: Mapping[str, str] | None = None) -> Path:
    """The published marts: $REDCAT_PUBLISHED_DB, else beside the warehouse."""
    environ = os.environ if environ is None else environ
    if environ.get(PUBLISHED_DB_ENV):
        return Path(environ[PUBLISHED_DB_ENV])
    return published_dir(warehouse_path()) / PUBLISHED_DB_NAME


@contextmanager
def read_only(database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the publication, closed as soon as the block ends."""
    if not database.is_file():
        raise PublicationMissingError(
            f"no published marts at {database}: run `redcat run` (it publishes after a "
            "successful build) or pass --published"
        )
    con = duckdb.connect(str(database), read_only=True)
    try:
        yield con
    finally:
        con.close()


def query(database: Path, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run one query on its own short-lived read-only connection."""
    with read_only(database) as con:
        return con.execute(sql, list(params)).df()


def publication_stamp(database: Path) -> int:
    """Changes whenever a new publication replaces the file (cache key for the page)."""
    return database.stat().st_mtime_ns


# --- formatting: the marts' rounding -------------------------------------------------


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


def format_cny(value: Any) -> str:
    """Yuan with two decimals (halves away from zero, as a cast to decimal(18,2)): `¥1,234.50`."""
    if _is_missing(value):
        return "n/a"
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"¥{amount:,.2f}"


def _shown(value: Any, render: Callable[[Any], str]) -> str:
    return "n/a" if _is_missing(value) else render(value)


def format_percent(value: Any) -> str:
    """A rate as a percentage with one decimal: 0.12345 -> `12.3%`."""
    return _shown(value, lambda v: f"{float(v) * 100:.1f}%")


def format_change(value: Any) -> str:
    """A relative change with its sign and one decimal: 0.2 -> `+20.0%`."""
    return _shown(value, lambda v: f"{float(v) * 100:+.1f}%")


def format_count(value: Any) -> str:
    return _shown(value, lambda v: f"{int(v):,}")


def format_average(value: Any) -> str:
    """A daily average (joint-campaign merchants) or a ROAS, with two decimals."""
    return _shown(value, lambda v: f"{float(v):,.2f}")


# ROAS: yuan of attributed GMV per yuan spent
format_ratio = format_average


# --- filters -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A reporting half-year of mart_industry_kpis_yoy (`2025-H1`), clipped to the data."""

    name: str
    start: date
    end: date


@dataclass(frozen=True)
class Filters:
    """The page's filters; None means every brand / platform."""

    period: Period
    attribution_model: str = "last_touch"
    brand_name: str | None = None
    platform: str | None = None


def periods(database: Path) -> list[Period]:
    """The half-years the marts report, newest first."""
    frame = query(
        database,
        f"select period_name, period_start, period_end from {MARTS_SCHEMA}.mart_industry_kpis_yoy "
        "where period_type = 'half_year' and industry = ? order by period_start desc",
        [ALL_INDUSTRIES],
    )
    return [
        Period(str(row.period_name), _as_date(row.period_start), _as_date(row.period_end))
        for row in frame.itertuples()
    ]


def brand_names(database: Path) -> list[str]:
    frame = query(
        database,
        f"select distinct brand_name from {MARTS_SCHEMA}.dim_brands "
        "where brand_name is not null order by brand_name",
    )
    return [str(name) for name in frame["brand_name"]]


def _as_date(value: Any) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _brand_platform_clause(filters: Filters, platform_column: str | None) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if filters.brand_name is not None:
        clauses.append("brand_name = ?")
        params.append(filters.brand_name)
    if filters.platform is not None and platform_column is not None:
        clauses.append(f"{platform_column} = ?")
        params.append(filters.platform)
    return "".join(f" and {c}" for c in clauses), params


# --- headline KPIs -------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    """One KPI tile: a label, the figure as shown, and its change on last year."""

    label: str
    value: str
    change: str | None
    help: str


HEADLINE_KPIS = (
    # (label, rate column, yoy column, formatter, help)
    ("CTR", "ctr", "ctr_yoy", format_percent, "reads ÷ impressions of seeding notes"),
    (
        "Interaction rate",
        "interaction_rate",
        "interaction_rate_yoy",
        format_percent,
        "(likes + saves + comments + shares) ÷ impressions of seeding notes",
    ),
    (
        "Store-entry rate",
        "store_entry_rate",
        "store_entry_rate_yoy",
        format_percent,
        "(matched user, brand) pairs entering the brand's tb shop within the click window "
        "after an impression ÷ pairs with an impression",
    ),
    (
        "Joint-campaign merchants per day",
        "joint_merchants_avg",
        "joint_merchants_avg_yoy",
        format_average,
        "brands with joint-campaign spend on a day, averaged over the period's days",
    ),
)


def headline_tiles(database: Path, period: Period) -> list[Tile]:
    """The headline KPIs over every industry for the half-year, with their change on last year."""
    frame = query(
        database,
        f"select * from {MARTS_SCHEMA}.mart_industry_kpis_yoy "
        "where period_type = 'half_year' and industry = ? and period_name = ?",
        [ALL_INDUSTRIES, period.name],
    )
    if frame.empty:
        return []
    row = frame.iloc[0]
    tiles = []
    for label, column, yoy_column, formatter, help_text in HEADLINE_KPIS:
        change = None if _is_missing(row[yoy_column]) else format_change(row[yoy_column])
        tiles.append(Tile(label, formatter(row[column]), change, help_text))
    return tiles


def industry_changes(database: Path, period: Period) -> pd.DataFrame:
    """Year-on-year change of each KPI per industry (long form), for the half-year.

    Columns: industry, kpi, change, label; a suppressed store-entry rate stays null.
    """
    frame = query(
        database,
        f"select industry, ctr_yoy, interaction_rate_yoy, store_entry_rate_yoy "
        f"from {MARTS_SCHEMA}.mart_industry_kpis_yoy "
        "where period_type = 'half_year' and period_name = ? and industry <> ? "
        "order by industry",
        [period.name, ALL_INDUSTRIES],
    )
    long = frame.melt(id_vars="industry", var_name="kpi", value_name="change")
    long["kpi"] = long["kpi"].map(
        {
            "ctr_yoy": "CTR",
            "interaction_rate_yoy": "Interaction rate",
            "store_entry_rate_yoy": "Store-entry rate",
        }
    )
    long["change"] = long["change"].astype("float64")
    long["label"] = [format_change(v) for v in long["change"]]
    return long


# --- the seeding funnel --------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """Funnel stages per platform (published rows only), with orders, GMV and what was hidden."""

    stages: pd.DataFrame  # platform, stage, users, label
    orders: int
    gmv_cny: Decimal
    published_rows: int
    suppressed_rows: int


def funnel(database: Path, filters: Filters) -> Funnel:
    """The seeding funnel of the filtered brands and platforms over the period's days."""
    extra, params = _brand_platform_clause(filters, "platform")
    sums = ", ".join(f"sum({column}) as {column}" for column, _ in FUNNEL_STAGES)
    frame = query(
        database,
        f"select platform, {sums}, sum(orders) as orders, sum(gmv_cny) as gmv_cny, "
        "count(*) filter (where not is_suppressed) as published_rows, "
        "count(*) filter (where is_suppressed) as suppressed_rows "
        f"from {MARTS_SCHEMA}.fct_seeding_funnel_daily "
        f"where local_date between ? and ?{extra} group by platform order by platform",
        [filters.period.start, filters.period.end, *params],
    )
    rows = []
    for record in frame.itertuples():
        for column, label in FUNNEL_STAGES:
            users = getattr(record, column)
            users = 0 if _is_missing(users) else int(users)
            rows.append(
                {
                    "platform": record.platform,
                    "stage": label,
                    "users": users,
                    "label": format_count(users),
                }
            )
    stages = pd.DataFrame(rows, columns=["platform", "stage", "users", "label"])
    orders = sum(0 if _is_missing(v) else int(v) for v in frame["orders"])
    gmv = sum(
        (Decimal(str(v)) for v in frame["gmv_cny"] if not _is_missing(v)), start=Decimal("0.00")
    )
    return Funnel(
        stages=stages,
        orders=orders,
        gmv_cny=gmv,
        published_rows=int(frame["published_rows"].sum()),
        suppressed_rows=int(frame["suppressed_rows"].sum()),
    )


# --- attribution models side by side -------------------------------------------------


def attribution_by_model(database: Path, filters: Filters) -> pd.DataFrame:
    """Attributed GMV (orders of the period) and ROAS (campaigns) under every model.

    Attributed GMV adds up fct_attributed_orders for the filtered brand,
    platform and order days; ROAS is the campaigns' attributed GMV ÷ their
    spend in mart_campaign_roi for the filtered brand, over the campaigns whose
    spend started in the period (campaigns belong to xhs, not to a platform).
    Columns: attribution_model, model, attributed_gmv_cny, gmv_label, spend_cny,
    campaign_attributed_gmv_cny, roas, roas_label.
    """
    extra, params = _brand_platform_clause(filters, "platform")
    gmv = query(
        database,
        "select attribution_model, sum(attributed_gmv_cny) as attributed_gmv_cny "
        f"from {MARTS_SCHEMA}.fct_attributed_orders "
        f"where order_date between ? and ?{extra} group by attribution_model",
        [filters.period.start, filters.period.end, *params],
    )
    brand_extra, brand_params = _brand_platform_clause(filters, None)
    roas = query(
        database,
        "select attribution_model, sum(spend_cny) as spend_cny, "
        "sum(attributed_gmv_cny) as campaign_attributed_gmv_cny "
        f"from {MARTS_SCHEMA}.mart_campaign_roi "
        f"where first_spend_date between ? and ?{brand_extra} group by attribution_model",
        [filters.period.start, filters.period.end, *brand_params],
    )
    models = pd.DataFrame({"attribution_model": list(ATTRIBUTION_MODELS)})
    frame = models.merge(gmv, how="left").merge(roas, how="left")
    rows = []
    for record in frame.itertuples():
        attributed = _decimal(record.attributed_gmv_cny)
        spend = _decimal(record.spend_cny)
        campaign_gmv = _decimal(record.campaign_attributed_gmv_cny)
        ratio = float(campaign_gmv) / float(spend) if spend else None
        rows.append(
            {
                "attribution_model": record.attribution_model,
                "model": MODEL_LABELS[str(record.attribution_model)],
                "attributed_gmv_cny": float(attributed),
                "gmv_label": format_cny(attributed),
                "spend_cny": float(spend),
                "campaign_attributed_gmv_cny": float(campaign_gmv),
                "roas": ratio,
                "roas_label": format_ratio(ratio),
            }
        )
    return pd.DataFrame(rows)


def _decimal(value: Any) -> Decimal:
    return Decimal("0.00") if _is_missing(value) else Decimal(str(value))


# --- joint campaigns and closed loop -------------------------------------------------


def joint_merchants_by_month(database: Path) -> pd.DataFrame:
    """Average daily joint-campaign merchants per month over every industry.

    Columns: month_start, period_name, joint_merchants_avg, label.
    """
    frame = query(
        database,
        "select period_start as month_start, period_name, joint_merchants_avg "
        f"from {MARTS_SCHEMA}.mart_industry_kpis_yoy "
        "where period_type = 'month' and industry = ? order by period_start",
        [ALL_INDUSTRIES],
    )
    frame["label"] = [format_average(v) for v in frame["joint_merchants_avg"]]
    return frame


def closed_loop_by_month(database: Path, attribution_model: str) -> pd.DataFrame:
    """Closed-loop share per month under one model.

    Columns: month_start, period_name, closed_loop_share, label, xhs_shop_gmv_cny,
    attributed_gmv_cny.
    """
    frame = query(
        database,
        "select period_start as month_start, period_name, closed_loop_share, "
        "xhs_shop_gmv_cny, attributed_gmv_cny "
        f"from {MARTS_SCHEMA}.mart_closed_loop_share "
        "where period_type = 'month' and attribution_model = ? order by period_start",
        [attribution_model],
    )
    frame["label"] = [format_percent(v) for v in frame["closed_loop_share"]]
    return frame


def closed_loop_tile(database: Path, filters: Filters) -> Tile:
    """Closed-loop share of the half-year under the selected model."""
    frame = query(
        database,
        "select closed_loop_share, xhs_shop_gmv_cny, attributed_gmv_cny "
        f"from {MARTS_SCHEMA}.mart_closed_loop_share "
        "where period_type = 'half_year' and period_name = ? and attribution_model = ?",
        [filters.period.name, filters.attribution_model],
    )
    if frame.empty:
        return Tile("Closed-loop share", "n/a", None, "no data for the period")
    row = frame.iloc[0]
    return Tile(
        "Closed-loop share",
        format_percent(row["closed_loop_share"]),
        None,
        f"xhs shop GMV {format_cny(row['xhs_shop_gmv_cny'])} ÷ (that + GMV attributed to "
        f"xhs notes on tb and jd, {format_cny(row['attributed_gmv_cny'])})",
    )
