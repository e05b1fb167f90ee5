"""The redcat dashboard page (Streamlit). Started by `redcat dashboard`.

A thin page: every figure comes from `redcat.dashboard.data`, which reads the
published marts through short read-only connections; this file only lays out
filters, KPI tiles and Altair (Vega-Lite) charts. Charts render as SVG with
their figures written on the marks, so what a reader sees can be checked.
"""

from __future__ import annotations

from datetime import UTC, datetime

import altair as alt
import pandas as pd
import streamlit as st

from redcat.dashboard import data

ALL = "All"
# SVG rather than canvas: the figures on the marks are text a browser (and a test) can read.
EMBED = {"embedOptions": {"renderer": "svg", "actions": False}}
PLATFORM_COLOURS = alt.Scale(domain=list(data.PLATFORMS), range=["#e4572e", "#2e86ab"])


# what `alt.layer` returns (a facet chart when given facet arguments, never here)
Layered = alt.LayerChart | alt.FacetChart


def chart(spec: Layered, name: str) -> Layered:
    """Give a chart its test-visible name and the SVG renderer."""
    return spec.properties(usermeta={**EMBED, "name": name})


@st.cache_data(show_spinner=False)
def cached(function_name: str, stamp: int, *args: object) -> object:
    """Cache a data function's result until a new publication replaces the file."""
    del stamp  # part of the cache key only
    return getattr(data, function_name)(*args)


def tiles(container: st.delta_generator.DeltaGenerator, items: list[data.Tile]) -> None:
    for column, tile in zip(container.columns(len(items)), items, strict=True):
        column.metric(
            tile.label,
            tile.value,
            delta=None if tile.change is None else f"{tile.change} YoY",
            help=tile.help,
        )


def industry_chart(frame: pd.DataFrame) -> Layered:
    base = alt.Chart(frame).encode(
        x=alt.X("industry:N", title=None, axis=alt.Axis(labelAngle=0)),
        xOffset="kpi:N",
        y=alt.Y("change:Q", title="change on last year", axis=alt.Axis(format="+.0%")),
        color=alt.Color("kpi:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=["industry", "kpi", "label"],
    )
    bars = base.mark_bar()
    text = base.mark_text(dy=-6, fontSize=10).encode(text="label:N", color=alt.value("#333333"))
    return chart(alt.layer(bars, text).properties(height=320), "industry_changes")


def funnel_chart(stages: pd.DataFrame) -> Layered:
    base = alt.Chart(stages).encode(
        y=alt.Y("stage:N", title=None, sort=[label for _, label in data.FUNNEL_STAGES]),
        yOffset="platform:N",
        x=alt.X("users:Q", title="matched users (published rows)"),
        color=alt.Color(
            "platform:N", scale=PLATFORM_COLOURS, title=None, legend=alt.Legend(orient="top")
        ),
        tooltip=["platform", "stage", "label"],
    )
    bars = base.mark_bar()
    text = base.mark_text(align="left", dx=3, fontSize=10).encode(
        text="label:N", color=alt.value("#333333")
    )
    return chart(alt.layer(bars, text).properties(height=300), "funnel")


def model_chart(frame: pd.DataFrame, value: str, label: str, title: str, name: str) -> Layered:
    base = alt.Chart(frame).encode(
        x=alt.X("model:N", title=None, sort=list(data.MODEL_LABELS.values())),
        y=alt.Y(f"{value}:Q", title=title),
        tooltip=["model", label],
    )
    bars = base.mark_bar(color="#6c4f9e")
    text = base.mark_text(dy=-6, fontSize=10, color="#333333").encode(text=f"{label}:N")
    return chart(alt.layer(bars, text).properties(height=260), name)


def monthly_chart(frame: pd.DataFrame, value: str, title: str, name: str, fmt: str) -> Layered:
    base = alt.Chart(frame).encode(
        x=alt.X("period_name:N", title=None, sort=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y(f"{value}:Q", title=title, axis=alt.Axis(format=fmt)),
        tooltip=["period_name", "label"],
    )
    line = base.mark_line(point=True, color="#2e86ab")
    text = base.mark_text(dy=-8, fontSize=9, color="#333333").encode(text="label:N")
    return chart(alt.layer(line, text).properties(height=260), name)


def main() -> None:
    st.set_page_config(page_title="redcat: seeding to purchase", layout="wide")
    database = data.published_database()
    try:
        stamp = data.publication_stamp(database)
    except FileNotFoundError:
        st.error(
            f"No published marts at {database}. Run `redcat run` first: it publishes the "
            "marts after a successful build."
        )
        return

    periods: list[data.Period] = cached("periods", stamp, database)  # type: ignore[assignment]
    brands: list[str] = cached("brand_names", stamp, database)  # type: ignore[assignment]
    with st.sidebar:
        st.header("Filters")
        period = st.selectbox("Period", periods, format_func=lambda p: p.name, key="period")
        brand = st.selectbox("Brand", [ALL, *brands], key="brand")
        platform = st.selectbox("Platform", [ALL, *data.PLATFORMS], key="platform")
        model = st.selectbox(
            "Attribution model",
            list(data.ATTRIBUTION_MODELS),
            format_func=lambda m: data.MODEL_LABELS[m],
            key="model",
        )
        published_at = datetime.fromtimestamp(stamp / 1e9, tz=UTC)
        st.caption(f"Published marts: {database.name}, {published_at:%Y-%m-%d %H:%M} UTC")
    if period is None:
        st.warning("The published marts hold no reporting period.")
        return
    filters = data.Filters(
        period=period,
        attribution_model=model,
        brand_name=None if brand == ALL else brand,
        platform=None if platform == ALL else platform,
    )

    st.title("From seeding to purchase")
    st.caption(
        f"{period.name} ({period.start} to {period.end}) against the same half-year a year "
        "earlier. Rows below the privacy floor stay suppressed."
    )

    st.subheader("Headline KPIs, every industry")
    tiles(st.container(), cached("headline_tiles", stamp, database, period))  # type: ignore[arg-type]
    st.subheader("Year-on-year change by industry")
    st.altair_chart(
        industry_chart(cached("industry_changes", stamp, database, period)),  # type: ignore[arg-type]
        width="stretch",
    )

    st.subheader("Seeding funnel by platform")
    seeding: data.Funnel = cached("funnel", stamp, database, filters)  # type: ignore[assignment]
    left, right, hidden = st.columns(3)
    left.metric("Orders", data.format_count(seeding.orders))
    right.metric("GMV", data.format_cny(seeding.gmv_cny))
    hidden.metric(
        "Suppressed funnel rows",
        data.format_count(seeding.suppressed_rows),
        help="brand-platform-days with fewer matched users than the privacy floor",
    )
    st.altair_chart(funnel_chart(seeding.stages), width="stretch")

    st.subheader("Attribution models side by side")
    st.caption(
        "Each model shares out the whole GMV of every attributed order, so the models' totals "
        "agree; they differ per note and per campaign. ROAS: campaigns whose spend started in "
        "the half-year."
    )
    models = cached("attribution_by_model", stamp, database, filters)
    gmv_column, roas_column = st.columns(2)
    gmv_column.altair_chart(
        model_chart(models, "attributed_gmv_cny", "gmv_label", "attributed GMV (yuan)", "gmv"),  # type: ignore[arg-type]
        width="stretch",
    )
    roas_column.altair_chart(
        model_chart(models, "roas", "roas_label", "ROAS (campaigns)", "roas"),  # type: ignore[arg-type]
        width="stretch",
    )

    st.subheader("Joint-campaign merchants and the closed loop")
    tiles(st.container(), [cached("closed_loop_tile", stamp, database, filters)])  # type: ignore[list-item]
    joint_column, loop_column = st.columns(2)
    joint_column.altair_chart(
        monthly_chart(
            cached("joint_merchants_by_month", stamp, database),  # type: ignore[arg-type]
            "joint_merchants_avg",
            "joint-campaign merchants per day",
            "joint_merchants",
            ",.0f",
        ),
        width="stretch",
    )
    loop_column.altair_chart(
        monthly_chart(
            cached("closed_loop_by_month", stamp, database, model),  # type: ignore[arg-type]
            "closed_loop_share",
            f"closed-loop share ({data.MODEL_LABELS[model]})",
            "closed_loop",
            ".1%",
        ),
        width="stretch",
    )


main()
