"""The data contract on the shared-account join, as blocking asset checks.

One check, `shared_account_contract`, on each model dbt marks as guarded by
the contract (`meta: {guarded_by_contract: true}`: the tri-party shop links,
the identity bridge, conversions, touchpoints, attribution credits). A
single step runs the Great Expectations contract
(`redcat.contract_checks.run_contract`) once against the warehouse and
reports every expectation on the check of the join model it guards: an
expectation on a join model goes to that model's check, one on another
relation (staging) to the first join model built from that relation.

The checks are blocking with severity ERROR: when one fails, the marts
(which depend on every checked join model) are not materialised.

In a partition run the contract reads the relations partitioned by day from
the run's first rebuilt day on (the partition's first day minus the lookback,
`contract_rows_from`): the rows the run wrote. The weekly full rebuild, and
any run without a partition, reads every row.
"""

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.assets.dbt import is_full_refresh, is_partitioned_run
from orchestration.partitions import daily_partitions
from orchestration.resources import WAREHOUSE_POOL, ContractResource, WarehouseResource
from redcat.pipeline import STEP_CONTRACT, ModelCatalog, PipelineObserver, PipelineVars

CHECK_NAME = "shared_account_contract"
CONTRACT_MODULE = "redcat.contract_checks"


def relation_name(relation: str) -> str:
    """`intermediate.int_x` or `"main"."intermediate"."int_x"` -> `int_x`."""
    return relation.split(".")[-1].strip('"').strip()


def guarding_models(manifest: Mapping[str, Any], join_models: Sequence[str]) -> dict[str, str]:
    """For every model: the join model whose check reports expectations on it.

    A join model reports its own; any other model reports to the first join
    model (upstream first) built from it, else to the last join model.
    """
    models = {
        uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }
    name_of = {uid: node["name"] for uid, node in models.items()}
    children: dict[str, set[str]] = {}
    for uid, node in models.items():
        for parent in node["depends_on"]["nodes"]:
            children.setdefault(parent, set()).add(uid)

    def descendants(uid: str) -> set[str]:
        seen: set[str] = set()
        stack = [uid]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return {name_of[d] for d in seen if d in name_of}

    guards: dict[str, str] = {}
    for uid, name in name_of.items():
        if name in join_models:
            guards[name] = name
            continue
        below = descendants(uid)
        guards[name] = next((j for j in join_models if j in below), join_models[-1])
    return guards


def contract_rows_from(
    first_partition: str | None, settings: PipelineVars, *, full_refresh: bool = False
) -> date | None:
    """The first day a partition run rebuilt: the first partition's local day minus
    the lookback (`partition_window_start()` in dbt). None for a run without a
    partition or a full refresh, which rebuilt every day."""
    if first_partition is None or full_refresh:
        return None
    window = daily_partitions(settings).time_window_for_partition_key(first_partition)
    return window.start.date() - timedelta(days=settings.partition_lookback_days)


def _first_partition(context: dg.AssetCheckExecutionContext) -> str | None:
    """The run's partition, or the first of its range; None for a run without one."""
    if not is_partitioned_run(context):
        return None
    # a single partition's range starts and ends with it
    start: str = context.partition_key_range.start
    return start


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text.replace("|", "\\|").replace("\n", " ")


def outcomes_table(outcomes: Sequence[Any]) -> str:
    """The outcomes as a Markdown table, failures first."""
    lines = [
        "| result | expectation | relation | rule | unexpected_count | sample |",
        "|---|---|---|---|---|---|",
    ]
    for o in sorted(outcomes, key=lambda o: (o.success, o.relation, o.expectation)):
        lines.append(
            "| "
            + " | ".join(
                [
                    "pass" if o.success else "**FAIL**",
                    _cell(o.expectation),
                    _cell(o.relation),
                    _cell(o.rule),
                    "error" if o.unexpected_count is None else str(o.unexpected_count),
                    _cell(o.sample) if not o.success else "",
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def check_result(
    key: dg.AssetCheckKey, outcomes: Sequence[Any], report: Any
) -> dg.AssetCheckResult:
    """One join model's check: passed when every expectation it reports passed."""
    failed = [o for o in outcomes if not o.success]
    metadata: dict[str, Any] = {
        "expectations": dg.MetadataValue.md(outcomes_table(outcomes)),
        "evaluated_expectations": dg.MetadataValue.int(len(outcomes)),
        "failed_expectations": dg.MetadataValue.int(len(failed)),
        "unexpected_count": dg.MetadataValue.int(sum(o.unexpected_count or 0 for o in failed)),
        "relation": dg.MetadataValue.text(", ".join(sorted({o.relation for o in outcomes}))),
        "rule": dg.MetadataValue.text(
            "; ".join(dict.fromkeys(o.rule for o in (failed or outcomes)))
        ),
        "sample": dg.MetadataValue.json(
            [
                {
                    "expectation": o.expectation,
                    "relation": o.relation,
                    "rule": o.rule,
                    "unexpected_count": o.unexpected_count,
                    "sample": o.sample,
                    **({"error": o.error} if getattr(o, "error", None) else {}),
                }
                for o in failed
            ]
        ),
    }
    if failed:
        metadata["report"] = dg.MetadataValue.md(f"```\n{report.format()}\n```")
    rows_from = getattr(report, "rebuilt_from", None)
    metadata["rows_from"] = dg.MetadataValue.text(
        f"{rows_from.isoformat()} on, in the relations partitioned by day"
        if rows_from is not None
        else "every row"
    )
    data_docs = getattr(report, "data_docs_path", None)
    if data_docs:
        metadata["data_docs"] = dg.MetadataValue.path(str(data_docs))
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
        description=(
            f"{len(failed)} of {len(outcomes)} expectations failed"
            if failed
            else f"all {len(outcomes)} expectations passed"
        ),
    )


def contract_unavailable(keys: Iterable[dg.AssetCheckKey], error: Exception) -> Iterator[Any]:
    """Failed checks when the contract cannot run: the marts are not built unchecked."""
    for key in keys:
        yield dg.AssetCheckResult(
            asset_key=key.asset_key,
            check_name=key.name,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"the contract could not run: {error}",
            metadata={"error": dg.MetadataValue.text(f"{type(error).__name__}: {error}")},
        )


def results_for(
    report: Any,
    keys_by_model: Mapping[str, dg.AssetCheckKey],
    guards: Mapping[str, str],
    fallback: str,
) -> Iterator[dg.AssetCheckResult]:
    """One result per join model, from the report's outcomes by relation."""
    from redcat.contract_checks import results_by_relation

    owned: dict[str, list[Any]] = {model: [] for model in keys_by_model}
    for model_name, outcomes in results_by_relation(report).items():
        model = guards.get(relation_name(model_name), fallback)
        owned[model].extend(outcomes)
    for model, key in keys_by_model.items():
        yield check_result(key, owned[model], report)


def build_contract_checks(
    catalog: ModelCatalog, asset_key_for_model: Mapping[str, dg.AssetKey]
) -> tuple[list[dg.AssetChecksDefinition], list[dg.AssetKey]]:
    """The blocking contract checks, and the join models they are on (the marts' gate).

    Empty when the project marks no model as guarded by the contract.
    """
    join_models = catalog.contract_guarded_models()
    if not join_models:
        return [], []
    guards = guarding_models(catalog.manifest, join_models)
    settings = catalog.pipeline_vars()
    keys_by_model = {
        model: dg.AssetCheckKey(asset_key_for_model[model], CHECK_NAME) for model in join_models
    }
    specs = [
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=key.asset_key,
            blocking=True,
            description=(
                "Great Expectations contract on the shared-account join (gx/expectations): "
                f"the expectations on {model} and on the relations it is built from. "
                "Blocking: the marts are not built when it fails."
            ),
        )
        for model, key in keys_by_model.items()
    ]

    @dg.multi_asset_check(
        specs=specs,
        name=CHECK_NAME,
        pool=WAREHOUSE_POOL,
        description="Runs the data contract once and reports it per join model.",
    )
    def shared_account_contract(
        context: dg.AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        contract: ContractResource,
        observer: dg.ResourceParam[PipelineObserver],
    ) -> Iterator[dg.AssetCheckResult]:
        observer.started(STEP_CONTRACT)
        rows_from = contract_rows_from(
            _first_partition(context),
            settings,
            full_refresh=is_full_refresh(context),
        )
        try:
            report = contract.validate(Path(warehouse.db_path), settings, rows_from)
        except ImportError as error:
            if not (error.name or "").startswith(CONTRACT_MODULE):
                raise
            observer.finished(STEP_CONTRACT, error)
            yield from contract_unavailable(keys_by_model.values(), error)
            return
        context.log.info(report.format())
        observer.finished(STEP_CONTRACT, report)
        yield from results_for(report, keys_by_model, guards, join_models[-1])

    return [shared_account_contract], [key.asset_key for key in keys_by_model.values()]
