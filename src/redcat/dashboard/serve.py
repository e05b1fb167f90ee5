"""Start the dashboard: `streamlit run` of the page, on the published marts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

APP = Path(__file__).with_name("app.py")
DEFAULT_PORT = 8501
DEFAULT_ADDRESS = "127.0.0.1"
# how long Streamlit may take to stop after Ctrl-C before it is terminated
STOP_SECONDS = 30


def streamlit_command(port: int, address: str) -> list[str]:
    """`python -m streamlit run app.py` headless, without usage statistics or file watching."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless=true",
        f"--server.port={port}",
        f"--server.address={address}",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=viewer",
        "--global.showWarningOnDirectExecution=false",
    ]


def serve(database: Path, port: int = DEFAULT_PORT, address: str = DEFAULT_ADDRESS) -> int:
    """Run the dashboard in the foreground until stopped; returns Streamlit's exit code.

    Ctrl-C reaches Streamlit with the rest of the terminal's process group;
    SIGTERM (a supervisor, `kill`) is passed on to it, so `redcat dashboard`
    never leaves a server behind.
    """
    from redcat.dashboard.data import PUBLISHED_DB_ENV, PublicationMissingError

    if not database.is_file():
        raise PublicationMissingError(
            f"no published marts at {database}: run `redcat run` first (it publishes the marts "
            "after a successful build), or pass --published"
        )
    env = {**os.environ, PUBLISHED_DB_ENV: str(database.resolve())}
    print(f"redcat dashboard on http://{address}:{port}/ reading {database} (Ctrl-C stops it)")
    streamlit = subprocess.Popen(streamlit_command(port, address), env=env)

    def pass_on(signum: int, _frame: FrameType | None) -> None:
        streamlit.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, pass_on)
    try:
        return streamlit.wait()
    except KeyboardInterrupt:
        try:
            streamlit.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            streamlit.terminate()
            streamlit.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
