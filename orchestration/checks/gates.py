"""The publish gates (`redcat.pipeline.gates`) as one blocking asset check.

`publish_gates` is on the model dbt marks `meta: {publish_gate: row_counts}`
(raw, accepted and quarantined rows per raw table). Every mart depends on that
model, so when the check fails (a table mostly quarantined, empty, or fallen
in volume against the last publication from loaded data) no mart is built and
nothing is published; the check names table, rule, counts and share.
"""

import dagster as dg

from orchestration.resources import WAREHOUSE_POOL, PublishGatesResource, WarehouseResource
from redcat.pipeline import (
    STEP_GATES,
    ModelCatalog,
    PipelineObserver,
    check_publish_gates,
    raw_is_loaded,
    read_publication_record,
    read_volumes,
    volume_baseline,
)

CHECK_NAME = "publish_gates"


def _volumes_table(report: object) -> str:
    lines = [
        "| table | raw rows | quarantined | share | not checked yet | rows at last publication |",
        "|---|---|---|---|---|---|",
    ]
    for v in getattr(report, "volumes", []):
        previous = "" if v.previous_rows is None else f"{v.previous_rows:,}"
        lines.append(
            f"| {v.key} | {v.raw_rows:,} | {v.quarantined_rows:,} | "
            f"{v.quarantined_share:.2%} | {v.unchecked_rows:,} | {previous} |"
        )
    return "\n".join(lines)


def build_gate_check(catalog: ModelCatalog, gate_key: dg.AssetKey) -> dg.AssetChecksDefinition:
    """The blocking check of the publish gates on the gate model's asset."""
    relation = catalog.relation(catalog.gate_model()["name"])
    limits = catalog.pipeline_vars()

    @dg.asset_check(
        asset=gate_key,
        name=CHECK_NAME,
        blocking=True,
        pool=WAREHOUSE_POOL,
        description=(
            "Publish gates per raw table: quarantine share, an empty table, a row count "
            "fallen against the last publication. Blocking: the marts are not built when "
            "it fails."
        ),
    )
    def publish_gates(
        context: dg.AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        publish_gates: PublishGatesResource,
        observer: dg.ResourceParam[PipelineObserver],
    ) -> dg.AssetCheckResult:
        observer.started(STEP_GATES)
        baseline = volume_baseline(
            read_publication_record(warehouse.path), loaded=raw_is_loaded(warehouse.path)
        )
        report = check_publish_gates(
            read_volumes(warehouse.path, relation, baseline),
            limits,
            baseline=baseline,
            accept=publish_gates.accepted(),
        )
        context.log.info(report.format())
        observer.finished(STEP_GATES, report)
        return dg.AssetCheckResult(
            passed=report.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=report.format().splitlines()[0],
            metadata={
                "volumes": dg.MetadataValue.md(_volumes_table(report)),
                "failures": dg.MetadataValue.json(
                    [
                        {"table": f.table, "rule": f.rule, "message": f.message}
                        for f in report.failures
                    ]
                ),
                "report": dg.MetadataValue.md(f"```\n{report.format()}\n```"),
            },
        )

    return publish_gates
