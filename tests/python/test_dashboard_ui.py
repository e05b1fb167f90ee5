"""The dashboard as a reader sees it: `redcat dashboard` served on a free port and
loaded in headless Debian Chromium, on the committed seeds and on generated data
(the session's `generated_published`, scale 0.25).

Every KPI tile and every chart must be on the page with the marts' figures
(computed in bi_support from the marts, not hard-coded): tiles by their text,
charts by the figures written on their SVG marks. A full-page screenshot is
saved under the test's tmp_path (its path is printed).
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from bi_support import (
    MODELS,
    BuiltWarehouse,
    expected_closed_loop,
    expected_funnel,
    expected_industry_labels,
    expected_models,
    expected_monthly_labels,
    expected_tiles,
    latest_half_year,
)
from test_dagster_ui import (
    CHROMIUM,
    CHROMIUM_ARGS,
    STOP_SECONDS,
    free_port,
    group_members,
    stop_process_group,
)

STARTUP_SECONDS = 300
PAGE_TIMEOUT_MS = 180_000
# Tall enough for the whole page: Streamlit scrolls inside its own container.
VIEWPORT = {"width": 1400, "height": 2300}
CHART_NAMES = ("industry_changes", "funnel", "gmv", "roas", "joint_merchants", "closed_loop")

# conftest.py skips (fails, in CI) `ui` tests when Debian's chromium is missing
pytestmark = [pytest.mark.ui, pytest.mark.slow]


@contextmanager
def dashboard(published: Path, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`redcat dashboard --published FILE --port PORT`, in its own process group; on
    exit, SIGTERM to it must stop the whole group (its Streamlit server too)."""
    redcat = Path(sys.executable).with_name("redcat")
    command = [str(redcat), "dashboard", "--published", str(published), "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            left = stop_process_group(process)
    # SIGTERM to `redcat dashboard` stops Streamlit too: nothing was left to kill
    assert left == [], f"still alive {STOP_SECONDS} s after SIGTERM: {left}"


def wait_until_serving(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"redcat dashboard exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the dashboard did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


def chart_texts(page: Any) -> dict[str, list[str]]:
    """The figures written on each chart's marks (not axes or legends), by chart name."""
    texts = page.evaluate(
        """() => Array.from(document.querySelectorAll('.vega-embed')).map(embed =>
            Array.from(embed.querySelectorAll('.role-mark text')).map(t => t.textContent))"""
    )
    assert len(texts) == len(CHART_NAMES)
    return dict(zip(CHART_NAMES, texts, strict=True))


def drawn(labels: list[str]) -> list[str]:
    """Labels as drawn: a null figure (n/a) has no mark."""
    return [label for label in labels if label != "n/a"]


def check_page(page: Any, db_path: Path) -> None:
    period = latest_half_year(db_path)
    # KPI tiles: label, value and change as text
    tiles = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-testid="stMetric"]')).map(m => [
            m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
            m.querySelector('[data-testid="stMetricValue"]').innerText.trim(),
            (m.querySelector('[data-testid="stMetricDelta"]') || {innerText: ''}).innerText.trim(),
        ])"""
    )
    shown = {label: (value, delta) for label, value, delta in tiles}
    funnel = expected_funnel(db_path, period)
    expected = {
        label: (value, delta or "")
        for label, (value, delta) in expected_tiles(db_path, period).items()
    }
    expected |= {
        "Orders": (f"{funnel['orders']:,}", ""),
        "GMV": (funnel["gmv"], ""),
        "Suppressed funnel rows": (f"{funnel['suppressed_rows']:,}", ""),
        "Closed-loop share": (expected_closed_loop(db_path, period, "last_touch"), ""),
    }
    assert shown == expected

    texts = chart_texts(page)
    assert sorted(texts["industry_changes"]) == sorted(
        drawn(expected_industry_labels(db_path, period))
    )
    assert sorted(texts["funnel"]) == sorted(
        f"{count:,}" for users in funnel["stages"].values() for count in users
    )
    models = expected_models(db_path, period)
    assert texts["gmv"] == [models[m][0] for m in MODELS]
    assert texts["roas"] == drawn([models[m][1] for m in MODELS])
    months = expected_monthly_labels(db_path, "last_touch")
    assert texts["joint_merchants"] == drawn(months["joint_merchants"])
    assert texts["closed_loop"] == drawn(months["closed_loop"])


def load_and_check(built: BuiltWarehouse, tmp_path: Path, screenshot_name: str) -> Path:
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    log = tmp_path / "dashboard.log"
    with dashboard(built.published, port, log) as process:
        wait_until_serving(process, port, log)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            expect.set_options(timeout=PAGE_TIMEOUT_MS)
            page.goto(f"http://127.0.0.1:{port}/")
            expect(page.get_by_text("From seeding to purchase")).to_be_visible()
            expect(page.locator('[data-testid="stMetric"]')).to_have_count(8)
            page.wait_for_function(
                f"document.querySelectorAll('.vega-embed svg .role-mark text').length > 0 && "
                f"document.querySelectorAll('.vega-embed svg').length === {len(CHART_NAMES)}"
            )
            check_page(page, built.db_path)
            screenshot = tmp_path / screenshot_name
            page.screenshot(path=str(screenshot), full_page=True)
            browser.close()
        pgid = process.pid
        assert group_members(pgid)
    assert group_members(pgid) == []
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {screenshot}")
    return screenshot


def test_dashboard_renders_every_panel_on_the_committed_seeds(
    seeds_published: BuiltWarehouse, tmp_path: Path
) -> None:
    load_and_check(seeds_published, tmp_path, "dashboard_seeds.png")


def test_dashboard_renders_every_panel_on_generated_data(
    generated_published: BuiltWarehouse, tmp_path: Path
) -> None:
    load_and_check(generated_published, tmp_path, "dashboard_generated.png")
