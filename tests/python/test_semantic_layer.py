"""The MetricFlow semantic layer answers with the marts' exact figures, and the
lineage, groups and access of `dbt docs` run from the sources to the exposures.

`mf query` runs through scripts/mf.sh (as a user with a custom DBT_TARGET_PATH
would) on the warehouse the main job built from the committed seeds; each
figure is compared with the mart that computes it, to the last bit of the
double (or the fen).
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from bi_support import MODELS, BuiltWarehouse, fetch

from redcat.warehouse import project_root

ROOT = project_root()
MF = ROOT / "scripts" / "mf.sh"


def mf_query(built: BuiltWarehouse, work: Path, *args: str) -> list[dict[str, str]]:
    """`mf query ARGS --csv`: the rows as dicts of the CSV's text (empty = null)."""
    out = work / f"mf_{len(list(work.glob('mf_*.csv')))}.csv"
    env = {
        **os.environ,
        "REDCAT_DUCKDB_PATH": str(built.db_path),
        "DBT_TARGET_PATH": str(built.target_path),
        "DBT_LOG_PATH": str(built.log_path),
        "DBT_PROFILES_DIR": str(ROOT),
    }
    result = subprocess.run(
        [str(MF), "query", *args, "--csv", str(out)],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and out.is_file(), result.stdout[-3000:] + result.stderr[-3000:]
    with out.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def number(text: str) -> float | None:
    return None if text == "" else float(text)


def money(text: str) -> Decimal | None:
    return None if text == "" else Decimal(text).quantize(Decimal("0.01"))


def as_float(value: Any) -> float | None:
    return None if value is None else float(value)


def time_rows(rows: list[dict[str, str]], column: str) -> list[dict[str, str]]:
    """Rows with a time value. An offset metric also yields rows for the half-years past
    the data's end (no time value); those must hold no figure at all."""
    dangling = [row for row in rows if row[column] == ""]
    for row in dangling:
        assert all(value == "" for key, value in row.items() if key.endswith("_yoy_half_year"))
    return [row for row in rows if row[column] != ""]


@pytest.mark.slow
def test_headline_saved_query_equals_the_industry_kpi_mart(
    seeds_published: BuiltWarehouse, tmp_path: Path
) -> None:
    (row,) = mf_query(seeds_published, tmp_path, "--saved-query", "headline_kpis_h1_2025")
    (mart,) = fetch(
        seeds_published.db_path,
        "select ctr, ctr_yoy, interaction_rate, interaction_rate_yoy, store_entry_rate, "
        "store_entry_rate_yoy, joint_merchants_avg, joint_merchants_avg_yoy "
        "from marts.mart_industry_kpis_yoy "
        "where industry = 'all' and period_type = 'half_year' and period_name = '2025-H1'",
    )
    assert row["metric_time__half_year"] == "2025-H1"
    got = tuple(
        number(row[name])
        for name in (
            "ctr",
            "ctr_yoy_half_year",
            "interaction_rate",
            "interaction_rate_yoy_half_year",
            "store_entry_rate_all_industries",
            "store_entry_rate_all_industries_yoy_half_year",
            "joint_campaign_merchants",
            "joint_campaign_merchants_yoy_half_year",
        )
    )
    assert None not in mart  # the seeds' headline row is published and has a year earlier
    assert got == mart


@pytest.mark.slow
def test_industry_kpis_per_half_year_equal_the_mart(
    seeds_published: BuiltWarehouse, tmp_path: Path
) -> None:
    metrics = (
        "ctr,ctr_yoy_half_year,interaction_rate,interaction_rate_yoy_half_year,"
        "store_entry_rate,store_entry_rate_yoy_half_year"
    )
    rows = mf_query(
        seeds_published,
        tmp_path,
        "--metrics",
        metrics,
        "--group-by",
        "metric_time__half_year,industry",
    )
    got = {
        (row["metric_time__half_year"], row["industry"]): tuple(
            number(row[m]) for m in metrics.split(",")
        )
        for row in time_rows(rows, "metric_time__half_year")
    }
    mart = {
        (period, industry): tuple(as_float(v) for v in values)
        for period, industry, *values in fetch(
            seeds_published.db_path,
            "select period_name, industry, ctr, ctr_yoy, interaction_rate, interaction_rate_yoy, "
            "store_entry_rate, store_entry_rate_yoy from marts.mart_industry_kpis_yoy "
            "where period_type = 'half_year' and industry <> 'all'",
        )
    }
    assert len(mart) == 18  # 3 half-years x 6 industries
    assert got == mart


@pytest.mark.slow
def test_monthly_kpis_and_their_year_on_year_change_equal_the_mart(
    seeds_published: BuiltWarehouse, tmp_path: Path
) -> None:
    names = ("ctr", "ctr_yoy", "interaction_rate_yoy", "joint_campaign_merchants_yoy")
    rows = mf_query(
        seeds_published, tmp_path, "--metrics", ",".join(names), "--group-by", "metric_time__month"
    )
    got = {row["metric_time__month"][:10]: tuple(number(row[n]) for n in names) for row in rows}
    mart = {
        str(start): tuple(as_float(v) for v in values)
        for start, *values in fetch(
            seeds_published.db_path,
            "select period_start, ctr, ctr_yoy, interaction_rate_yoy, joint_merchants_avg_yoy "
            "from marts.mart_industry_kpis_yoy where industry = 'all' and period_type = 'month'",
        )
    }
    assert len(mart) == 18
    assert sum(1 for values in mart.values() if values[1] is not None) == 6  # 2025's months
    assert got == mart

    rows = mf_query(
        seeds_published,
        tmp_path,
        "--metrics",
        "store_entry_rate_monthly,store_entry_rate_monthly_yoy",
        "--group-by",
        "metric_time__month,industry",
    )
    got_entry = {
        (row["metric_time__month"][:10], row["industry"]): (
            number(row["store_entry_rate_monthly"]),
            number(row["store_entry_rate_monthly_yoy"]),
        )
        for row in rows
    }
    mart_entry = {
        (str(start), industry): (as_float(rate), as_float(yoy))
        for start, industry, rate, yoy in fetch(
            seeds_published.db_path,
            "select period_start, industry, store_entry_rate, store_entry_rate_yoy "
            "from marts.mart_industry_kpis_yoy where industry <> 'all' and period_type = 'month'",
        )
    }
    assert got_entry == mart_entry


@pytest.mark.slow
def test_roas_saved_query_equals_the_campaign_roi_mart(
    seeds_published: BuiltWarehouse, tmp_path: Path
) -> None:
    rows = mf_query(seeds_published, tmp_path, "--saved-query", "roas_per_campaign_and_model")
    got = {
        (row["campaign"], model): number(row[f"roas_{model}"]) for row in rows for model in MODELS
    }
    mart = {
        (campaign, model): as_float(roas)
        for campaign, model, roas in fetch(
            seeds_published.db_path,
            "select campaign_id, attribution_model, roas from marts.mart_campaign_roi",
        )
    }
    assert len(mart) > 100 and any(value for value in mart.values())
    assert got == mart


@pytest.mark.slow
def test_gmv_and_attributed_gmv_per_model_equal_the_facts(
    seeds_published: BuiltWarehouse, tmp_path: Path
) -> None:
    rows = mf_query(seeds_published, tmp_path, "--saved-query", "attributed_gmv_by_model_monthly")
    columns = ["gmv", *(f"attributed_gmv_{model}" for model in MODELS)]
    got = {row["metric_time__month"][:10]: [money(row[c]) for c in columns] for row in rows}
    gmv = dict(
        fetch(
            seeds_published.db_path,
            "select cast(date_trunc('month', order_date) as date), sum(gmv_cny) "
            "from marts.fct_conversions group by 1",
        )
    )
    attributed = {
        (str(month), model): value
        for month, model, value in fetch(
            seeds_published.db_path,
            "select cast(date_trunc('month', order_date) as date), attribution_model, "
            "sum(attributed_gmv_cny) from marts.fct_attributed_orders group by 1, 2",
        )
    }
    expected = {
        str(month): [total, *(attributed.get((str(month), model)) for model in MODELS)]
        for month, total in gmv.items()
    }
    assert got == expected


@pytest.mark.slow
def test_closed_loop_share_and_new_customer_share_equal_their_marts(
    seeds_published: BuiltWarehouse, tmp_path: Path
) -> None:
    rows = mf_query(
        seeds_published,
        tmp_path,
        "--metrics",
        "closed_loop_share",
        "--group-by",
        "metric_time__half_year,closed_loop_period__attribution_model",
    )
    got = {
        (row["metric_time__half_year"], row["closed_loop_period__attribution_model"]): number(
            row["closed_loop_share"]
        )
        for row in rows
    }
    mart = {
        (period, model): as_float(share)
        for period, model, share in fetch(
            seeds_published.db_path,
            "select period_name, attribution_model, closed_loop_share "
            "from marts.mart_closed_loop_share where period_type = 'half_year'",
        )
    }
    assert len(mart) == 15 and all(share is not None for share in mart.values())
    assert got == mart

    rows = mf_query(
        seeds_published,
        tmp_path,
        "--metrics",
        "new_customer_share,attributed_buyers",
        "--group-by",
        "metric_time__month,brand,brand_platform_month__platform",
    )
    got_new = {
        (row["metric_time__month"][:10], row["brand"], row["brand_platform_month__platform"]): (
            number(row["new_customer_share"]),
            number(row["attributed_buyers"]),
        )
        for row in rows
    }
    mart_new = {
        (str(month), brand, platform): (as_float(share), as_float(buyers))
        for month, brand, platform, share, buyers in fetch(
            seeds_published.db_path,
            "select order_month, brand_account_id, platform, new_customer_share, "
            "attributed_buyers from marts.mart_new_customers",
        )
    }
    assert got_new == mart_new


# --- lineage, groups, access ---------------------------------------------------------


@pytest.fixture(scope="module")
def docs_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`dbt docs generate` on an empty warehouse (lineage needs no data: empty catalog)."""
    work = tmp_path_factory.mktemp("docs")
    env = {
        **os.environ,
        "REDCAT_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_PROFILES_DIR": str(ROOT),
    }
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [str(dbt), "docs", "generate", "--empty-catalog"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert (work / "target" / "index.html").is_file()
    return json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))


def ancestors(manifest: dict[str, Any], unique_id: str) -> set[str]:
    parents = manifest["parent_map"]
    seen: set[str] = set()
    todo = [unique_id]
    while todo:
        for parent in parents.get(todo.pop(), []):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


@pytest.mark.slow
def test_docs_lineage_runs_from_the_sources_to_both_exposures(
    docs_manifest: dict[str, Any],
) -> None:
    exposures = {e["name"]: e for e in docs_manifest["exposures"].values()}
    assert set(exposures) == {"published_marts", "redcat_dashboard"}
    marts = {
        node_id
        for node_id, node in docs_manifest["nodes"].items()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    }
    source_systems = {source["source_name"] for source in docs_manifest["sources"].values()}
    assert source_systems == {"xhs", "tb", "jd", "shared"}
    for name, exposure in exposures.items():
        assert exposure["owner"]["name"] and exposure["owner"]["email"], name
        depends = set(exposure["depends_on"]["nodes"])
        assert depends and depends <= marts, name
        lineage = ancestors(docs_manifest, exposure["unique_id"])
        reached = {
            docs_manifest["sources"][node]["source_name"]
            for node in lineage
            if node in docs_manifest["sources"]
        }
        assert reached == source_systems, f"{name} reaches the sources of {sorted(reached)} only"
        assert any(node.startswith("model.redcat.stg_") for node in lineage), name
    # the publication copies every mart
    assert set(exposures["published_marts"]["depends_on"]["nodes"]) == marts


@pytest.mark.slow
def test_dashboard_exposure_lists_exactly_the_marts_the_dashboard_reads(
    docs_manifest: dict[str, Any],
) -> None:
    code = (ROOT / "src" / "redcat" / "dashboard" / "data.py").read_text(encoding="utf-8")
    read = set(re.findall(r"\{MARTS_SCHEMA\}\.(\w+)", code))
    (exposure,) = [
        e for e in docs_manifest["exposures"].values() if e["name"] == "redcat_dashboard"
    ]
    declared = {node.split(".")[-1] for node in exposure["depends_on"]["nodes"]}
    assert read and declared == read


@pytest.mark.slow
def test_marts_are_public_and_the_layers_below_protected(docs_manifest: dict[str, Any]) -> None:
    models = [n for n in docs_manifest["nodes"].values() if n["resource_type"] == "model"]
    by_layer: dict[str, set[tuple[str, str]]] = {}
    for node in models:
        by_layer.setdefault(node["fqn"][1], set()).add((node["group"], node["access"]))
    assert by_layer["marts"] == {("bi", "public")}
    assert by_layer["staging"] == {("staging", "protected")}
    assert by_layer["intermediate"] == {("modeling", "protected")}
    assert by_layer["semantic"] == {("semantic", "protected")}
    groups = {g["name"]: g for g in docs_manifest["groups"].values()}
    assert set(groups) == {"staging", "modeling", "bi", "semantic"}
    assert all(g["owner"]["email"] for g in groups.values())
    # every public mart enforces its contract (a breaking change needs a new version)
    assert all(n["contract"]["enforced"] for n in models if n["access"] == "public"), (
        "a public model without an enforced contract"
    )


def test_every_fact_foreign_key_has_a_relationships_test(docs_manifest: dict[str, Any]) -> None:
    tested = {
        (
            node["attached_node"].split(".")[-1],
            node["column_name"],
        )
        for node in docs_manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("test_metadata", {}).get("name")
        in {"relationships", "relationships_outside_quarantine"}
    }
    foreign_keys = {
        ("fct_conversions", "brand_account_id"),
        ("fct_conversions", "order_date"),
        ("fct_attributed_orders", "conversion_id"),
        ("fct_attributed_orders", "note_id"),
        ("fct_attributed_orders", "brand_account_id"),
        ("fct_attributed_orders", "order_date"),
        ("fct_note_daily", "note_id"),
        ("fct_note_daily", "brand_account_id"),
        ("fct_note_daily", "local_date"),
        ("fct_seeding_funnel_daily", "brand_account_id"),
        ("fct_seeding_funnel_daily", "local_date"),
        ("dim_notes", "author_account_id"),
        ("dim_notes", "brand_account_id"),
        ("mart_campaign_roi", "campaign_id"),
        ("mart_campaign_roi", "brand_account_id"),
        ("mart_note_roi", "note_id"),
        ("mart_joint_campaign_merchants", "local_date"),
        ("mart_new_customers", "brand_account_id"),
    }
    assert foreign_keys <= tested, sorted(foreign_keys - tested)
