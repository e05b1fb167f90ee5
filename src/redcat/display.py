"""What `redcat run` shows while the pipeline runs: one progress display per step.

On a terminal, a `rich` progress display with one line per step (the dbt
steps count their nodes, done/total); otherwise (a pipe, CI, `--quiet`) one
plain line per step when it ends. Either way the steps' results are kept for
the summary that ends the run.
"""

from __future__ import annotations

import time
from typing import Any, TextIO

from redcat.pipeline import PipelineObserver
from redcat.pipeline.observer import (
    STEP_CONTRACT,
    STEP_GATES,
    STEP_MARTS,
    STEP_PUBLISH,
    STEP_RAW,
    STEP_WAREHOUSE,
)


def describe_step(step: str, result: Any, seconds: float, done: int) -> str:
    """One line saying what a finished step did."""
    took = f"in {seconds:.1f} s"
    if step == STEP_RAW and result is not None:
        if result.load is None:
            return f"{step}: the committed seeds (seeds/) {took}"
        return (
            f"{step}: loaded {result.description}, {len(result.load.rows_per_table)} tables, "
            f"{result.load.total_rows:,} rows {took}"
        )
    if step in (STEP_WAREHOUSE, STEP_MARTS):
        failed = "" if result is not None else ", FAILED"
        return f"{step}: {done} dbt nodes {took}{failed}"
    if step == STEP_GATES and result is not None:
        verdict = "passed" if result.success else f"FAILED ({len(result.failures)})"
        return f"{step}: {verdict} on {len(result.volumes)} raw tables {took}"
    if step == STEP_CONTRACT and hasattr(result, "results"):
        passed = len(result.results) - len(result.failures)
        verdict = "PASSED" if result.success else "FAILED"
        return f"{step}: {verdict}, {passed} of {len(result.results)} expectations {took}"
    if step == STEP_PUBLISH and result is not None:
        return f"{step}: {len(result.rows_per_relation)} marts for BI {took}"
    return f"{step}: done {took}"


class RunDisplay(PipelineObserver):
    """Shows the steps on `stream` and keeps their results (`results`, `seconds`)."""

    def __init__(self, stream: TextIO, *, live: bool) -> None:
        self.stream = stream
        self.live = live
        self.results: dict[str, Any] = {}
        self.seconds: dict[str, float] = {}
        self._started: dict[str, float] = {}
        self._done: dict[str, int] = {}
        self._tasks: dict[str, Any] = {}
        self._progress: Any = None
        if live:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(finished_text="[green]✓"),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=stream),
                transient=False,
            )
            self._progress.start()

    def started(self, step: str, total: int | None = None) -> None:
        if step not in self._started:
            self._started[step] = time.perf_counter()
            self._done[step] = 0
            if self._progress is not None:
                self._tasks[step] = self._progress.add_task(step, total=total)
        if total is not None and self._progress is not None:
            self._progress.update(self._tasks[step], total=total)

    def advanced(self, step: str, done: int = 1, *, label: str = "") -> None:
        self._done[step] = self._done.get(step, 0) + done
        if self._progress is not None and step in self._tasks:
            text = f"{step}: {label}" if label else step
            self._progress.update(self._tasks[step], advance=done, description=text)

    def finished(self, step: str, result: Any = None) -> None:
        self.results[step] = result
        seconds = time.perf_counter() - self._started.get(step, time.perf_counter())
        self.seconds[step] = seconds
        line = describe_step(step, result, seconds, self._done.get(step, 0))
        if self._progress is not None and step in self._tasks:
            task = self._tasks[step]
            total = self._progress.tasks[task].total
            self._progress.update(task, description=line, completed=total or 1, total=total or 1)
        else:
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        """End the live display (before the summary is printed)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
