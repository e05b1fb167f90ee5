"""docs/bi.md as something to run: its code blocks, and old DuckDB clients to run them with.

`queries()` and `notebook()` read the page's fenced blocks; `client_python()`
gives the Python of a throwaway virtualenv holding one duckdb release from
PyPI, cached in `$REDCAT_TEST_CACHE` (default `~/.cache/redcat`) so that only
the first run downloads it. Without PyPI the calling test skips, saying so
(in CI, where PyPI is always reachable, it fails instead).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from redcat.warehouse import project_root

BI_DOC = project_root() / "docs" / "bi.md"
# the oldest duckdb that opens the published copy (docs/bi.md says why)
OLDEST_DUCKDB = "0.10.3"
CACHE_ENV = "REDCAT_TEST_CACHE"
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
# what pip prints when it cannot reach the package index at all
_OFFLINE = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "ConnectTimeout",
    "ProxyError",
)


def blocks(language: str) -> list[str]:
    """The page's fenced code blocks in `language`, in page order."""
    text = BI_DOC.read_text(encoding="utf-8")
    return [body for lang, body in _BLOCK.findall(text) if lang == language]


def queries(*, duckdb_only: bool) -> list[str]:
    """The SQL examples that read the marts: with `duckdb_only`, also the ones that
    use DuckDB's catalog functions; never the role statements."""
    found = [sql for sql in blocks("sql") if sql.lstrip().startswith("select")]
    return found if duckdb_only else [sql for sql in found if "duckdb_" not in sql]


def notebook(marker: str) -> str:
    """The Python block whose first line is `# notebook: <marker>`."""
    (found,) = [code for code in blocks("python") if code.startswith(f"# notebook: {marker}\n")]
    return found


def _cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV, "").strip()
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "redcat"


def client_python(version: str) -> Path:
    """The Python of a virtualenv with duckdb==`version` (created once, then cached)."""
    venv = _cache_dir() / f"duckdb-{version}-py{sys.version_info[0]}{sys.version_info[1]}"
    python = venv / "bin" / "python"
    if python.is_file():
        return python
    scratch = venv.with_name(f"{venv.name}.{os.getpid()}.tmp")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(scratch)], check=True)
    installed = subprocess.run(
        [
            str(scratch / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"duckdb=={version}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if installed.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        output = installed.stdout + installed.stderr
        if any(sign in output for sign in _OFFLINE) and not os.environ.get("CI"):
            pytest.skip(f"PyPI is unreachable, cannot install duckdb=={version}")
        raise RuntimeError(f"pip could not install duckdb=={version}:\n{output[-2000:]}")
    # built beside the cache and renamed into it whole (only its `python` is run, which
    # finds its environment from where it lies), so a cut-off install leaves no half venv
    shutil.rmtree(venv, ignore_errors=True)
    os.replace(scratch, venv)
    return python
