"""The Dagster UI: `dagster dev` serves the asset graph with the marts and the
contract checks, seen through headless Chromium.

Needs Debian's `chromium` (scripts/bootstrap.sh installs it) and the Python
package `playwright` (dev extras); Playwright's own browser download is not
used. Skipped only when /usr/bin/chromium is absent outside CI.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from processes import group_members, kill_group, wait_for_group_exit

from orchestration.checks.contract import CHECK_NAME, CONTRACT_JOIN_MODELS
from orchestration.project import build_dbt_project
from redcat.warehouse import project_root

ROOT = project_root()
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# `dagster dev -m orchestration.definitions` names the code location after the module
LOCATION = "orchestration.definitions"
STARTUP_SECONDS = 300
PAGE_TIMEOUT_MS = 120_000
# The asset graph renders only the nodes in view: a tall window shows the
# whole marts group at the graph's default zoom.
GRAPH_VIEWPORT = {"width": 1600, "height": 9000}
PAGE_VIEWPORT = {"width": 1600, "height": 1000}

pytestmark = [
    pytest.mark.ui,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason=f"{CHROMIUM} is not installed (apt-get install -y chromium; required in CI)",
    ),
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the whole group; SIGKILL to whatever is left after 15 s; then wait until
    every process of the group has exited, not only the leader (`dagster dev` starts the
    webserver and a code server as children)."""
    pgid = process.pid  # the leader of its own session
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        process.wait(timeout=30)
        return
    if not wait_for_group_exit(pgid, 15):
        kill_group(pgid)
    process.wait(timeout=30)
    assert wait_for_group_exit(pgid, 120), f"still alive in group {pgid}: {group_members(pgid)}"


@contextmanager
def dagster_dev(workdir: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`dagster dev -m orchestration.definitions` with its own DAGSTER_HOME, in its own group."""
    home = workdir / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_DISABLE_TELEMETRY": "true",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        str(Path(sys.executable).with_name("dagster")),
        "dev",
        "-m",
        "orchestration.definitions",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    with (workdir / "dagster_dev.log").open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            stop_process_group(process)


def graphql(port: int, query: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def wait_until_loaded(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Until the webserver answers and the code location has loaded (or failed)."""
    query = (
        "{ workspaceOrError { ... on Workspace { locationEntries { name "
        "locationOrLoadError { __typename ... on PythonError { message } } } } } }"
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dagster dev exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            entries = graphql(port, query)["data"]["workspaceOrError"]["locationEntries"]
        except (OSError, KeyError, TypeError, ValueError):
            time.sleep(1)
            continue
        loaded = {e["name"]: e["locationOrLoadError"] for e in entries if e["locationOrLoadError"]}
        if LOCATION in loaded:
            location = loaded[LOCATION]
            if location["__typename"] == "PythonError":
                pytest.fail(f"the definitions failed to load: {location['message']}")
            return
        time.sleep(1)
    pytest.fail(f"dagster dev did not load within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


def test_asset_graph_shows_the_marts_and_the_contract_checks(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    nodes = json.loads(build_dbt_project().manifest_path.read_text(encoding="utf-8"))["nodes"]
    marts = sorted(
        n["name"]
        for n in nodes.values()
        if n["resource_type"] == "model" and n["fqn"][1] == "marts"
    )
    assert marts
    join_model = CONTRACT_JOIN_MODELS[0]
    screenshots = tmp_path / "screenshots"
    screenshots.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    with dagster_dev(tmp_path, port) as process:
        wait_until_loaded(process, port, tmp_path / "dagster_dev.log")
        graphql(port, "mutation { setNuxSeen }")  # no welcome dialog over the pages
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            page = browser.new_page(viewport=GRAPH_VIEWPORT)
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            expect.set_options(timeout=PAGE_TIMEOUT_MS)

            # the marts group's asset graph: every mart is a node
            page.goto(f"{base}/locations/{LOCATION}/asset-groups/marts")
            boxes = []
            for mart in marts:
                node = page.get_by_text(mart, exact=True).first
                expect(node).to_be_visible()
                boxes.append(node.bounding_box())
            top = max(0.0, min(b["y"] for b in boxes if b) - 200)
            bottom = max(b["y"] + b["height"] for b in boxes if b) + 300
            graph_png = screenshots / "asset_graph_marts.png"
            page.screenshot(
                path=str(graph_png),
                clip={"x": 0, "y": top, "width": GRAPH_VIEWPORT["width"], "height": bottom - top},
            )

            # a join model's checks: the contract check is listed, and blocking
            page.set_viewport_size(PAGE_VIEWPORT)
            page.goto(f"{base}/assets/intermediate/{join_model}?view=checks")
            page.get_by_text(CHECK_NAME, exact=True).first.click()
            expect(page.get_by_text("This is a blocking asset check.")).to_be_visible()
            checks_png = screenshots / f"{join_model}_checks.png"
            page.screenshot(path=str(checks_png))
            browser.close()

        pgid = process.pid
        assert group_members(pgid)  # the UI and its children are running

    assert group_members(pgid) == []
    for png in (graph_png, checks_png):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        print(f"screenshot: {png}")
