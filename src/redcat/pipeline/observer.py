"""What the pipeline's steps tell whoever runs them.

Each step of the pipeline (`orchestration/` wires them as Dagster assets and
checks) reports to a `PipelineObserver`: when it starts (with the number of
units of work, when known), each unit done, and its result when it finishes.
The command line (`redcat run`) shows a progress display and a summary from
these calls; in the Dagster UI the default observer does nothing (the UI has
its own event log).
"""

from __future__ import annotations

from typing import Any

STEP_RAW = "raw data"
STEP_WAREHOUSE = "staging and intermediate"
STEP_GATES = "publish gates"
STEP_CONTRACT = "data contract"
STEP_MARTS = "marts"
STEP_PUBLISH = "publish"
STEPS = (STEP_RAW, STEP_WAREHOUSE, STEP_GATES, STEP_CONTRACT, STEP_MARTS, STEP_PUBLISH)


class PipelineObserver:
    """Receives the steps' progress. This base class ignores everything."""

    def started(self, step: str, total: int | None = None) -> None:
        """`step` began; `total` units of work (dbt nodes, say) when known."""

    def advanced(self, step: str, done: int = 1, *, label: str = "") -> None:
        """`done` more units of `step` finished (`label`: the last one's name)."""

    def finished(self, step: str, result: Any = None) -> None:
        """`step` ended with `result` (a report, a publication, ...)."""
