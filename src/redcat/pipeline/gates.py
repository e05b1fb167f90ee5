"""The publish gates: raw volumes that stop the marts before they are built and published.

Checked per raw table, after staging (which quarantines every row that breaks
the raw contract) and before the marts, on the model dbt marks
`meta: {publish_gate: row_counts}` (`staging.stg_quarantine__row_counts`:
raw, accepted and quarantined rows per table). A table stops the run when

- `quarantine_share_over_limit`: more than `publish_max_quarantine_share`
  (dbt var) of its rows were quarantined: a column whose type changed, say,
  sends a whole table to quarantine, and the marts would publish a GMV of 0;
- `table_arrived_empty`: it holds no rows at all;
- `row_count_fell`: it holds fewer than `1 - publish_max_row_drop_share`
  (dbt var) times the rows of the same table at the last publication built
  from loaded data (`publication.json`, see `redcat.pipeline.publication`).
  The committed seeds are no baseline, and a first load has none.

A table named in `accept` (`redcat run --accept-volume-change TABLE`, or
`all`: a new feed, a smaller generated scale) passes the two volume rules (a
real drop, or a table that is empty for a reason); the quarantine share
always applies. The failures name table, rule, counts
and share; `PublishGateError` carries the report (exit status 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from redcat import errors
from redcat.contract import RAW_TABLES
from redcat.load import quote_ident
from redcat.pipeline.catalog import PipelineVars
from redcat.pipeline.publication import PublicationRecord
from redcat.warehouse import connect

QUARANTINE_SHARE_RULE = "quarantine_share_over_limit"
EMPTY_RULE = "table_arrived_empty"
ROW_DROP_RULE = "row_count_fell"
QUARANTINE_SHARE_VAR = "publish_max_quarantine_share"
ROW_DROP_VAR = "publish_max_row_drop_share"


class PublishGateError(errors.PublishGateError):
    """A publish gate stopped the run: the marts were neither built nor published.

    Carries the gate report; exits with status 4 (`redcat.errors`).
    """

    def __init__(self, report: GateReport) -> None:
        super().__init__(report.format())
        self.report = report


@dataclass(frozen=True)
class TableVolume:
    """One raw table's rows in this run, and at the last publication from loaded data."""

    table: str  # raw relation, `<source>__<table>`
    raw_rows: int
    accepted_rows: int
    quarantined_rows: int
    previous_rows: int | None = None
    # delivered rows a daily partition run has not checked yet (0 after a full build)
    unchecked_rows: int = 0

    @property
    def key(self) -> str:
        """`source/table`, as the raw directory names it."""
        return self.table.replace("__", "/", 1)

    @property
    def quarantined_share(self) -> float:
        """Quarantined rows over the rows checked (delivered and not waiting to be checked)."""
        checked = self.raw_rows - self.unchecked_rows
        return self.quarantined_rows / checked if checked else 0.0


@dataclass(frozen=True)
class GateFailure:
    table: str  # `source/table`
    rule: str
    message: str


@dataclass(frozen=True)
class GateReport:
    volumes: list[TableVolume]
    failures: list[GateFailure]
    max_quarantine_share: float
    max_row_drop_share: float
    baseline: PublicationRecord | None
    accepted: tuple[str, ...] = field(default_factory=tuple)

    @property
    def success(self) -> bool:
        return not self.failures

    def format(self) -> str:
        verdict = "passed" if self.success else f"FAILED on {len(self.failures)} check(s)"
        baseline = (
            f"the publication of {self.baseline.published_at}"
            if self.baseline is not None
            else "none (no earlier publication from loaded data)"
        )
        lines = [
            f"Publish gates on {len(self.volumes)} raw tables: {verdict}",
            f"  limits: quarantine share {self.max_quarantine_share:.1%} ({QUARANTINE_SHARE_VAR}), "
            f"row drop {self.max_row_drop_share:.0%} ({ROW_DROP_VAR}); volume baseline: {baseline}",
        ]
        lines.extend(f"  {failure.message}" for failure in self.failures)
        if self.accepted:
            lines.append(f"  volume change accepted for: {', '.join(self.accepted)}")
        return "\n".join(lines)


ALL_TABLES = "all"


def table_key(name: str) -> str:
    """`tb/orders` or `tb__orders` -> `tb/orders` (`all` stays `all`); ValueError for a table
    the raw contract lacks."""
    keys = {t.key: t.key for t in RAW_TABLES} | {t.relation: t.key for t in RAW_TABLES}
    keys[ALL_TABLES] = ALL_TABLES
    try:
        return keys[name.strip()]
    except KeyError:
        known = ", ".join(t.key for t in RAW_TABLES)
        raise ValueError(f"no raw table {name!r}; the tables are {known} (or all)") from None


def read_volumes(
    db_path: Path, relation: tuple[str, str], baseline: PublicationRecord | None = None
) -> list[TableVolume]:
    """Rows per raw table from the gate model, with the baseline's rows beside them."""
    schema, name = relation
    with connect(db_path, read_only=True) as con:
        rows = con.execute(
            "select source_table, raw_rows, accepted_rows, quarantined_rows, unchecked_rows "
            f"from {quote_ident(schema)}.{quote_ident(name)} order by source_table"
        ).fetchall()
    previous = baseline.raw_rows if baseline is not None else {}
    return [
        TableVolume(
            str(table),
            int(raw),
            int(accepted),
            int(quarantined),
            previous.get(table),
            unchecked_rows=int(unchecked),
        )
        for table, raw, accepted, quarantined, unchecked in rows
    ]


def _failures(
    volume: TableVolume, limits: PipelineVars, accepted: Iterable[str]
) -> Iterable[GateFailure]:
    key = volume.key
    share = volume.quarantined_share
    if share > limits.publish_max_quarantine_share:
        yield GateFailure(
            key,
            QUARANTINE_SHARE_RULE,
            f"table {key}: {QUARANTINE_SHARE_RULE}: {volume.quarantined_rows:,} of "
            f"{volume.raw_rows:,} rows quarantined ({share:.1%}), more than "
            f"{limits.publish_max_quarantine_share:.1%} ({QUARANTINE_SHARE_VAR}); "
            "see staging.stg_quarantine__rejected_rows",
        )
    if key in accepted or ALL_TABLES in accepted:
        return
    hint = f"if that is real: redcat run --accept-volume-change {key}"
    if volume.raw_rows == 0:
        yield GateFailure(key, EMPTY_RULE, f"table {key}: {EMPTY_RULE}: 0 rows delivered; {hint}")
    elif volume.previous_rows:
        fell = 1 - volume.raw_rows / volume.previous_rows
        if fell > limits.publish_max_row_drop_share:
            yield GateFailure(
                key,
                ROW_DROP_RULE,
                f"table {key}: {ROW_DROP_RULE}: {volume.raw_rows:,} rows against "
                f"{volume.previous_rows:,} at the last publication ({fell:.1%} fewer), more "
                f"than {limits.publish_max_row_drop_share:.0%} ({ROW_DROP_VAR}); {hint}",
            )


def check_publish_gates(
    volumes: Sequence[TableVolume],
    limits: PipelineVars,
    *,
    baseline: PublicationRecord | None,
    accept: Iterable[str] = (),
) -> GateReport:
    """Apply the gates to this run's volumes. `baseline` only when it came from loaded data."""
    accepted = tuple(sorted({table_key(name) for name in accept}))
    failures = [f for volume in volumes for f in _failures(volume, limits, accepted)]
    return GateReport(
        volumes=list(volumes),
        failures=failures,
        max_quarantine_share=limits.publish_max_quarantine_share,
        max_row_drop_share=limits.publish_max_row_drop_share,
        baseline=baseline,
        accepted=accepted,
    )


def volume_baseline(record: PublicationRecord | None, *, loaded: bool) -> PublicationRecord | None:
    """The baseline of the volume rules: the last publication, when both it and this run
    were built from loaded data (the committed seeds are no feed to compare with)."""
    if record is None or not loaded or record.raw_source != "load":
        return None
    return record
