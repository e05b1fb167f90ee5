"""The Dagster UI: `dagster dev` (no flags, from the project folder) serves the asset
graph with the marts and the contract checks, seen through headless Chromium; it and
`python -m orchestration` stop cleanly on SIGTERM, their whole process group with them.

Needs Debian's `chromium` (`make system-packages` installs it; `make test` runs that
step) and the Python package `playwright` (dev extras); Playwright's own browser
download is not used. Skipped when /usr/bin/chromium is absent, failed in CI.
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
from conftest import CHROMIUM
from processes import group_members, kill_group, wait_for_group_exit

from orchestration.checks.contract import CHECK_NAME
from redcat.pipeline import ModelCatalog, dbt_project_paths, load_manifest
from redcat.warehouse import project_root

ROOT = project_root()
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
# `dagster dev` with no flags loads pyproject.toml's [tool.dagster] code location
LOCATION = "redcat"
STARTUP_SECONDS = 300
STOP_SECONDS = 120
PAGE_TIMEOUT_MS = 120_000
# The asset graph renders only the nodes in view: a tall window shows the
# whole marts group at the graph's default zoom.
GRAPH_VIEWPORT = {"width": 1600, "height": 9000}
PAGE_VIEWPORT = {"width": 1600, "height": 1000}

# conftest.py skips (fails, in CI) `ui` tests when Debian's chromium is missing
pytestmark = [pytest.mark.ui, pytest.mark.slow]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_empty_group(pgid: int, seconds: float = STOP_SECONDS) -> list[int]:
    """Wait until no process of group `pgid` is alive (or `seconds` pass); what is left."""
    return [] if wait_for_group_exit(pgid, seconds) else group_members(pgid)


def stop_process_group(process: subprocess.Popen[bytes]) -> list[int]:
    """SIGTERM to the UI's main process, which shuts its children down itself; then wait
    for the whole group, not only the leader. Returns what was still alive after
    `STOP_SECONDS` (then killed, and waited for until every process has exited)."""
    pgid = process.pid  # the leader of its own session
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    left = wait_for_empty_group(pgid)
    if left:
        kill_group(pgid)
    process.wait(timeout=30)
    assert wait_for_group_exit(pgid, 120), f"still alive in group {pgid}: {group_members(pgid)}"
    return left


def sigint_as_in_a_terminal() -> None:
    """SIGINT's default action in the child, as `dagster dev` typed in a terminal has
    it. A test run started as a background job (`make test &`, some CI runners)
    inherits SIGINT ignored; `dagster dev` maps SIGTERM to SIGINT's handler, so it
    would ignore SIGTERM too (redcat's launcher, tested below, restores it itself)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def dagster_dev(workdir: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`dagster dev` (no module flag) with its own DAGSTER_HOME, in its own group."""
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
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    with (workdir / "dagster_dev.log").open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=sigint_as_in_a_terminal,
        )
        try:
            yield process
        finally:
            left = stop_process_group(process)
    assert left == [], f"still alive {STOP_SECONDS} s after SIGTERM: {left}"


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

    catalog = ModelCatalog(load_manifest(dbt_project_paths()))
    nodes = catalog.manifest["nodes"]
    marts = sorted(
        n["name"]
        for n in nodes.values()
        if n["resource_type"] == "model" and n["fqn"][1] == "marts"
    )
    assert marts
    join_model = catalog.contract_guarded_models()[0]
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


def test_the_launcher_started_in_the_background_is_quiet_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    """`python -m orchestration` started by a script (`... &`: SIGINT ignored) answers,
    prints no superseded-command warning or telemetry banner, and stops on SIGTERM."""
    port = free_port()
    log = tmp_path / "launcher.log"
    env = {
        **os.environ,
        "REDCAT_DUCKDB_PATH": str(tmp_path / "warehouse" / "redcat.duckdb"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DAGSTER_HOME", None)
    script = f'"{sys.executable}" -m orchestration --port {port} >"{log}" 2>&1 & echo $!'
    shell = subprocess.run(
        ["sh", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        start_new_session=True,
    )
    pid = int(shell.stdout.strip())
    pgid = os.getpgid(pid)
    try:
        ignored = int(
            next(
                line.split()[1]
                for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if line.startswith("SigIgn:")
            ),
            16,
        )
        assert ignored & (1 << (signal.SIGINT - 1))  # as a script's background job has it
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                graphql(port, "{ version }")
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail(f"the UI did not answer:\n{log.read_text()[-3000:]}")
        os.kill(pid, signal.SIGTERM)
        assert wait_for_empty_group(pgid) == []
    finally:
        if group_members(pgid):
            os.killpg(pgid, signal.SIGKILL)
    output = log.read_text()
    assert "superseded" not in output
    assert "Telemetry" not in output
    assert "Shutting down Dagster services" in output
    assert (tmp_path / "warehouse" / "dagster" / "dagster.yaml").read_text() == (
        "telemetry:\n  enabled: false\n"
    )
