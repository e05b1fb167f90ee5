"""The dashboard's figures equal the marts', page by filter, and it never blocks a build.

`redcat.dashboard.data` is checked against the marts read with SQL of the
tests' own (bi_support); the Streamlit page runs under `AppTest`; the last
test rebuilds the marts and publishes while the dashboard keeps reading.
"""

from __future__ import annotations

import json
import shutil
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from bi_support import (
    MODELS,
    ROOT,
    BuiltWarehouse,
    expected_closed_loop,
    expected_funnel,
    expected_industry_labels,
    expected_models,
    expected_monthly_labels,
    expected_tiles,
    fetch,
    latest_half_year,
)

from redcat.cli import main
from redcat.dashboard import data
from redcat.publish import publish_marts
from redcat.warehouse import run_dbt

APP = ROOT / "src" / "redcat" / "dashboard" / "app.py"
CHARTS = ("industry_changes", "funnel", "gmv", "roas", "joint_merchants", "closed_loop")


# --- formatting (fast) ---------------------------------------------------------------


def test_money_has_two_decimals_and_rates_one() -> None:
    assert data.format_cny(Decimal("1234567.5")) == "¥1,234,567.50"
    assert data.format_cny(Decimal("0.005")) == "¥0.01"
    assert data.format_cny(None) == "n/a"
    assert data.format_percent(0.119973) == "12.0%"
    assert data.format_percent(0.0) == "0.0%"
    assert data.format_percent(float("nan")) == "n/a"
    assert data.format_change(0.19951) == "+20.0%"
    assert data.format_change(-0.0673) == "-6.7%"
    assert data.format_average(4.176795580110498) == "4.18"
    assert data.format_count(39012) == "39,012"


def test_published_database_comes_from_the_environment_or_sits_beside_the_warehouse(
    db_path: Path,
) -> None:
    assert data.published_database({"REDCAT_PUBLISHED_DB": "/x/marts.duckdb"}) == Path(
        "/x/marts.duckdb"
    )
    assert data.published_database({}) == db_path.parent / "published" / "redcat_marts.duckdb"


def test_a_missing_publication_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(data.PublicationMissingError, match="run `redcat run`"):
        data.periods(tmp_path / "nothing.duckdb")
    with pytest.raises(SystemExit) as exit_info:
        main(["dashboard", "--published", str(tmp_path / "nothing.duckdb")])
    assert exit_info.value.code == 1
    error = capsys.readouterr().err
    assert error.startswith("redcat dashboard: no published marts at ")
    assert str(tmp_path / "nothing.duckdb") in error


# --- figures against the marts -------------------------------------------------------


@pytest.fixture(scope="module")
def period_name(seeds_published: BuiltWarehouse) -> str:
    return latest_half_year(seeds_published.db_path)


def filters_for(published: Path, period_name: str, **kwargs: Any) -> data.Filters:
    (period,) = [p for p in data.periods(published) if p.name == period_name]
    return data.Filters(period=period, **kwargs)


@pytest.mark.slow
def test_tiles_and_industry_changes_equal_the_industry_kpi_mart(
    seeds_published: BuiltWarehouse, period_name: str
) -> None:
    published = seeds_published.published
    assert [p.name for p in data.periods(published)] == ["2025-H1", "2024-H2", "2024-H1"]
    (period,) = [p for p in data.periods(published) if p.name == period_name]
    tiles = {t.label: (t.value, t.change) for t in data.headline_tiles(published, period)}
    expected = {
        label: (value, None if delta is None else delta.removesuffix(" YoY"))
        for label, (value, delta) in expected_tiles(seeds_published.db_path, period_name).items()
    }
    assert tiles == expected
    changes = data.industry_changes(published, period)
    labels = expected_industry_labels(seeds_published.db_path, period_name)
    assert sorted(changes["label"]) == labels
    assert set(changes["industry"]) == {"apparel", "beauty", "digital", "food", "home", "sports"}


@pytest.mark.slow
@pytest.mark.parametrize("platform", [None, "taobao", "jd"])
def test_funnel_adds_up_the_published_rows_only(
    seeds_published: BuiltWarehouse, period_name: str, platform: str | None
) -> None:
    db = seeds_published.db_path
    ((brand,),) = fetch(
        db,
        "select brand_name from marts.fct_seeding_funnel_daily where not is_suppressed "
        "group by 1 order by sum(reach_users) desc limit 1",
    )
    for brand_name in (None, brand):
        filters = filters_for(
            seeds_published.published, period_name, brand_name=brand_name, platform=platform
        )
        got = data.funnel(seeds_published.published, filters)
        want = expected_funnel(db, period_name, brand_name, platform)
        stages = {
            platform_name: list(frame["users"])
            for platform_name, frame in got.stages.groupby("platform", sort=True)
        }
        assert stages == want["stages"]
        assert got.orders == want["orders"]
        assert data.format_cny(got.gmv_cny) == want["gmv"]
        assert got.suppressed_rows == want["suppressed_rows"]
    # the seeds suppress most rows: the figures are the published ones, not the hidden ones
    assert expected_funnel(db, period_name)["suppressed_rows"] > 0


@pytest.mark.slow
def test_models_side_by_side_and_monthly_series_equal_the_marts(
    seeds_published: BuiltWarehouse, period_name: str
) -> None:
    published, db = seeds_published.published, seeds_published.db_path
    filters = filters_for(published, period_name)
    frame = data.attribution_by_model(published, filters)
    got = {row.attribution_model: (row.gmv_label, row.roas_label) for row in frame.itertuples()}
    assert got == expected_models(db, period_name)
    for model in MODELS:
        months = expected_monthly_labels(db, model)
        assert list(data.closed_loop_by_month(published, model)["label"]) == months["closed_loop"]
        tile = data.closed_loop_tile(
            published, filters_for(published, period_name, attribution_model=model)
        )
        assert tile.value == expected_closed_loop(db, period_name, model)
    assert list(data.joint_merchants_by_month(published)["label"]) == months["joint_merchants"]


# --- the page under AppTest ------------------------------------------------------------


def chart_specs(app: Any) -> dict[str, tuple[dict[str, Any], pd.DataFrame]]:
    """Each chart on the page: its Vega-Lite spec and its data, by the chart's name."""
    charts = {}
    for element in app.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        (dataset,) = element.proto.datasets
        frame = pa.ipc.open_stream(dataset.data.data).read_pandas()
        charts[spec["usermeta"]["name"]] = (spec, frame)
    return charts


def run_page(published: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(data.PUBLISHED_DB_ENV, str(published))
    return AppTest.from_file(str(APP), default_timeout=300).run()


@pytest.mark.slow
def test_page_shows_every_tile_and_chart_with_the_marts_figures(
    seeds_published: BuiltWarehouse, period_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = seeds_published.db_path
    app = run_page(seeds_published.published, monkeypatch)
    assert not app.exception and not app.error
    tiles = {m.label: (m.value, m.delta or None) for m in app.metric}
    for label, value in expected_tiles(db, period_name).items():
        assert tiles[label] == value
    funnel = expected_funnel(db, period_name)
    assert tiles["Orders"][0] == f"{funnel['orders']:,}"
    assert tiles["GMV"][0] == funnel["gmv"]
    assert tiles["Suppressed funnel rows"][0] == f"{funnel['suppressed_rows']:,}"
    assert tiles["Closed-loop share"][0] == expected_closed_loop(db, period_name, "last_touch")

    charts = chart_specs(app)
    assert set(charts) == set(CHARTS)
    for spec, _frame in charts.values():
        assert spec["usermeta"]["embedOptions"]["renderer"] == "svg"
    assert sorted(charts["industry_changes"][1]["label"]) == expected_industry_labels(
        db, period_name
    )
    models = expected_models(db, period_name)
    assert list(charts["gmv"][1]["gmv_label"]) == [models[m][0] for m in MODELS]
    assert list(charts["roas"][1]["roas_label"]) == [models[m][1] for m in MODELS]
    months = expected_monthly_labels(db, "last_touch")
    assert list(charts["joint_merchants"][1]["label"]) == months["joint_merchants"]
    assert list(charts["closed_loop"][1]["label"]) == months["closed_loop"]
    funnel_frame = charts["funnel"][1]
    for platform, users in funnel["stages"].items():
        assert list(funnel_frame[funnel_frame["platform"] == platform]["users"]) == users


@pytest.mark.slow
def test_filters_change_the_figures(
    seeds_published: BuiltWarehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = seeds_published.db_path
    app = run_page(seeds_published.published, monkeypatch)
    ((brand,),) = fetch(
        db,
        "select brand_name from marts.fct_seeding_funnel_daily where not is_suppressed "
        "group by 1 order by sum(reach_users) desc limit 1",
    )
    app.selectbox(key="period").select_index(2)  # the oldest half-year
    app.selectbox(key="brand").select(brand)
    app.selectbox(key="platform").select("taobao")
    app.selectbox(key="model").select("linear")
    app.run()
    assert not app.exception
    period = app.selectbox(key="period").value.name
    assert period == "2024-H1"
    tiles = {m.label: (m.value, m.delta or None) for m in app.metric}
    for label, value in expected_tiles(db, period).items():
        assert tiles[label] == value  # no year earlier: no change shown
        assert value[1] is None
    funnel = expected_funnel(db, period, brand, "taobao")
    assert tiles["Orders"][0] == f"{funnel['orders']:,}"
    assert tiles["GMV"][0] == funnel["gmv"]
    assert tiles["Closed-loop share"][0] == expected_closed_loop(db, period, "linear")
    charts = chart_specs(app)
    funnel_frame = charts["funnel"][1]
    assert set(funnel_frame["platform"]) <= {"taobao"}
    assert (
        list(charts["closed_loop"][1]["label"])
        == expected_monthly_labels(db, "linear")["closed_loop"]
    )


def test_page_without_a_publication_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = run_page(tmp_path / "missing.duckdb", monkeypatch)
    assert not app.exception
    (error,) = app.error
    assert "redcat run" in error.value and str(tmp_path / "missing.duckdb") in error.value
    assert not app.metric


# --- never blocks a build ------------------------------------------------------------


@pytest.mark.slow
def test_a_build_and_publication_run_while_the_dashboard_reads(
    seeds_published: BuiltWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard reads the publication in a loop (every query of the page) while
    `dbt build` rebuilds the marts and `publish_marts` replaces the publication: the build
    and the publication succeed, and the reads go on throughout."""
    db_path = tmp_path / "warehouse" / "redcat.duckdb"
    db_path.parent.mkdir()
    shutil.copy(seeds_published.db_path, db_path)
    published = publish_marts(db_path).database
    before = data.publication_stamp(published)
    period_name = latest_half_year(db_path)

    reads: list[int] = []
    errors: list[BaseException] = []
    building = threading.Event()
    done = threading.Event()

    def read_like_the_page() -> None:
        while not done.is_set():
            try:
                filters = filters_for(published, period_name)
                data.headline_tiles(published, filters.period)
                data.funnel(published, filters)
                data.attribution_by_model(published, filters)
                data.closed_loop_by_month(published, "last_touch")
                reads.append(int(building.is_set()))
            except BaseException as error:  # surfaced below
                errors.append(error)
                return

    reader = threading.Thread(target=read_like_the_page, daemon=True)
    reader.start()
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    try:
        building.set()
        run_dbt(["build", "--select", "path:models/marts"], db_path=db_path, root=ROOT)
        publication = publish_marts(db_path)
        reads_during_build = sum(reads)
    finally:
        done.set()
        reader.join(timeout=120)
    assert not errors, errors
    assert reads_during_build > 0
    assert publication.database == published
    assert data.publication_stamp(published) != before
    assert data.headline_tiles(published, filters_for(published, period_name).period)
