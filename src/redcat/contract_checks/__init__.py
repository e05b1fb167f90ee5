"""The Great Expectations data contract on the shared-account join.

Public API (imported lazily, so that reading the rule definitions does not
load Great Expectations):

- `run_contract(db_path, *, build_data_docs=True, sample_size=5, gx_root=None,
  uncommitted=None)` -> `ContractReport` (`.success`, `.results`, `.format()`, ...);
  validation results and Data Docs go to `uncommitted`, `REDCAT_GX_UNCOMMITTED_DIR`
  or `<gx_root>/uncommitted`
- `run_contract_on_server(settings=None, ...)`: the same on the PostgreSQL
  server warehouse (`redcat.server`)
- `results_by_relation(report)` -> outcomes per dbt model, for asset checks
- `contract_expectations()`, `checked_relations()`: the definitions
- `write_gx_project()`, `gx_project_drift()`: the versioned `gx/` project
- `preload()`: import Great Expectations in a background thread, so a run
  that validates later does not wait for it then

Command line: `python -m redcat.contract_checks validate --db PATH` (see
`__main__.py`). Documentation: docs/contract.md.
"""

from __future__ import annotations

import contextlib
import threading
from importlib import import_module
from typing import Any

_EXPORTS = {
    "ContractReport": "runner",
    "ExpectationOutcome": "runner",
    "results_by_relation": "runner",
    "run_contract": "runner",
    "run_contract_on_server": "runner",
    "ContractExpectation": "rules",
    "checked_relations": "rules",
    "contract_expectations": "rules",
    "load_contract_vars": "rules",
    "gx_project_drift": "project",
    "write_gx_project": "project",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)


_preloading: list[threading.Thread] = []


def _import_runner() -> None:
    # a failure shows again, where it matters, when the contract step imports it
    with contextlib.suppress(Exception):
        import_module(f"{__name__}.runner")


def preload() -> threading.Thread:
    """Start importing the runner (and Great Expectations, seconds of imports) in a thread.

    A pipeline calls it when it starts, so the import overlaps the dbt build
    (a child process) instead of delaying the contract step; a later import
    of the same modules waits for this one to finish. Once per process.
    """
    if not _preloading:
        thread = threading.Thread(target=_import_runner, name="redcat-contract-preload")
        thread.start()
        _preloading.append(thread)
    return _preloading[0]
