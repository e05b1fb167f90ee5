"""`redcat bench`: the figures it reports, their structure and the ratios computed from them.

No timing is asserted (the machine decides those); the structure, the
step names, the ordering of the slowest nodes and every ratio are.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from redcat.bench import BenchReport, PeakRss, RunFigures, StepTimer, slowest, tree_rss
from redcat.cli import main
from redcat.pipeline.observer import STEP_CONTRACT, STEP_MARTS, STEP_RAW, STEP_WAREHOUSE

STEPS = {"staging_intermediate", "gates", "contract", "marts", "publish"}
RUN_KEYS = {
    "seconds",
    "phases",
    "build_seconds",
    "tests_seconds",
    "dbt_nodes",
    "slowest_nodes",
    "peak_rss_bytes",
    "dbt_cold_parses",
}


def run_results(*nodes: tuple[str, float]) -> dict[str, list[dict[str, object]]]:
    return {
        "results": [
            {"unique_id": uid, "execution_time": seconds, "status": "success"}
            for uid, seconds in nodes
        ]
    }


def test_step_timer_keeps_steps_and_dbt_nodes() -> None:
    timer = StepTimer()
    for step in (STEP_RAW, STEP_WAREHOUSE, STEP_CONTRACT, STEP_MARTS):
        timer.started(step)
        timer.started(step, total=3)  # dbt announces its total later: the first start counts
    timer.finished(STEP_RAW, object())
    timer.finished(STEP_WAREHOUSE, run_results(("model.redcat.a", 2.5), ("test.redcat.t", 0.5)))
    timer.finished(STEP_CONTRACT, object())
    timer.finished(STEP_MARTS, run_results(("model.redcat.m", 1.25), ("unit_test.redcat.u", 1.0)))

    assert set(timer.phases()) == {"load", "staging_intermediate", "contract", "marts"}
    nodes = timer.nodes()
    assert [n["unique_id"] for n in slowest(nodes, 3)] == [
        "model.redcat.a",
        "model.redcat.m",
        "unit_test.redcat.u",
    ]
    figures = RunFigures(10.0, timer.phases(), nodes, peak_rss_bytes=7, dbt_cold_parses=0)
    assert figures.as_json()["tests_seconds"] == 1.5
    assert figures.as_json()["dbt_nodes"] == 4


def test_ratios_come_from_the_figures() -> None:
    full = RunFigures(
        80.0, {"load": 5.0, "staging_intermediate": 50.0, "contract": 3.0, "marts": 10.0}, [], 1, 0
    )
    day = RunFigures(16.0, {"staging_intermediate": 10.0}, [], 1, 0)
    report = BenchReport(
        scale=1,
        seed=42,
        generated_rows=1000,
        generate_seconds=2.0,
        floor_seconds=10.0,
        parse_seconds=1.0,
        raw_bytes=400,
        warehouse_bytes=900,
        full_run=full,
        day_run=day,
        day_partition="2025-06-30",
    )
    assert report.ratios() == {
        "full_run_over_floor": 8.0,
        "day_run_over_full_run": 0.2,
        "contract_over_build": 0.05,
        "warehouse_over_raw": 2.25,
    }
    assert report.as_json()["generate"]["rows_per_second"] == 500.0
    assert report.as_json()["full_run"]["build_seconds"] == 60.0


def test_peak_rss_covers_this_process() -> None:
    with PeakRss(interval=0.01) as rss:
        pass
    assert rss.peak >= tree_rss(os.getpid()) // 2 > 0


@pytest.mark.slow
def test_bench_at_a_tiny_scale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.json"

    assert main(["bench", "--scale", "0.001", "--json", str(out)]) == 0

    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {
        "scale",
        "seed",
        "machine",
        "generate",
        "floor_seconds",
        "parse_seconds",
        "full_run",
        "day_run",
        "bytes",
        "largest_staging",
        "ratios",
    }
    assert (data["scale"], data["seed"]) == (0.001, 42)
    assert data["generate"]["rows"] == 17_500
    full, day = data["full_run"], data["day_run"]
    assert set(full) == RUN_KEYS
    assert set(day) == RUN_KEYS | {"partition"}
    assert set(full["phases"]) == STEPS | {"load"}
    assert set(day["phases"]) == STEPS  # the scheduled job builds from the loaded raw data
    assert day["partition"] == "2025-06-30"
    # each run's dbt calls reuse the partial parse of `dbt parse`, the day's vars included
    assert (full["dbt_cold_parses"], day["dbt_cold_parses"]) == (0, 0)
    assert len(full["slowest_nodes"]) == 10
    seconds = [n["seconds"] for n in full["slowest_nodes"]]
    assert seconds == sorted(seconds, reverse=True)
    assert full["build_seconds"] == round(
        full["phases"]["staging_intermediate"] + full["phases"]["marts"], 3
    )
    assert all(run["peak_rss_bytes"] > 0 for run in (full, day))
    assert data["bytes"]["raw"] > 0 and data["bytes"]["warehouse"] > 0
    assert data["largest_staging"] == {"relation": "staging.stg_xhs__note_events", "rows": 9_945}

    def ratio(a: float, b: float) -> float:
        return round(a / b, 4)

    assert data["ratios"] == {
        "full_run_over_floor": ratio(full["seconds"], data["floor_seconds"]),
        "day_run_over_full_run": ratio(day["seconds"], full["seconds"]),
        "contract_over_build": ratio(full["phases"]["contract"], full["build_seconds"]),
        "warehouse_over_raw": ratio(data["bytes"]["warehouse"], data["bytes"]["raw"]),
    }
    printed = capsys.readouterr().out
    for name in data["ratios"]:
        assert name in printed
