"""Every dbt model, seed and test as Dagster assets and asset checks.

- Groups follow the layers: seeds in `raw`, then `staging`, `intermediate`,
  `marts` (the model's folder under `models/`).
- Every dbt source (schema `raw`) is the `raw_data` asset, so the staging
  layer depends on it.
- The models dbt marks event-driven (`meta: {partition: daily}`) are
  daily-partitioned; a run over a partition passes its window to dbt in
  environment variables (`orchestration.partitions.partition_env`), which
  keep dbt's partial parsing where new `--vars` would not.
- dbt data tests are asset checks; with severity `error` they block what
  comes after them.
- The marts are one definition of their own, after the gates: every mart
  depends on every contract-guarded join model and on the publish gates'
  model, whose blocking checks therefore stop all of them.
- Each invocation is `dbt build` with the run's `--vars` (if any), in a target
  folder of its own seeded with the project's `partial_parse.msgpack`; when
  it ends, row counts of the tables it built are read on one short read-only
  connection and attached to the materialisations (`dagster/row_count`).
- A run tagged `redcat/full_refresh=true` (the weekly rebuild, `redcat run`)
  runs `dbt build --full-refresh` without a partition window; a partition run
  leaves dbt's unit tests to those full builds.
"""

import json
import shutil
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.assets.raw import RAW_DATA_KEY, RAW_GROUP
from orchestration.partitions import partition_env
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from redcat.pipeline import (
    MARTS_SELECTION,
    STEP_MARTS,
    STEP_WAREHOUSE,
    DbtProjectPaths,
    ModelCatalog,
    PipelineObserver,
    temporary_environment,
)

LAYERS = ("staging", "intermediate", "marts")
FULL_REFRESH_TAG = "redcat/full_refresh"
ROW_COUNT_KEY = "dagster/row_count"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
UNIT_TESTS = "resource_type:unit_test"


def _node_done(raw_event: Mapping[str, Any]) -> str | None:
    """The node a dbt result line (`LogModelResult`, `LogTestResult`, ...) is about, if any."""
    name = str(raw_event.get("info", {}).get("name", ""))
    node = raw_event.get("data", {}).get("node_info") or {}
    if name.startswith("Log") and name.endswith("Result") and node:
        return str(node.get("node_name") or node.get("unique_id") or "")
    return None


def marts_freshness(time_zone: str) -> dg.FreshnessPolicy:
    """The marts are due every day by 06:00 local time (the daily run starts at 02:00),
    updated within the 24 hours before."""
    return dg.FreshnessPolicy.cron(
        deadline_cron="0 6 * * *", lower_bound_delta=timedelta(hours=24), timezone=time_zone
    )


def layer_of(resource_props: Mapping[str, Any]) -> str | None:
    """`raw` for seeds, else the folder under `models/` when it is a layer."""
    if resource_props["resource_type"] == "seed":
        return RAW_GROUP
    fqn = resource_props.get("fqn") or []
    folder = fqn[1] if len(fqn) > 2 else None
    return folder if folder in LAYERS else None


class RedcatDbtTranslator(DagsterDbtTranslator):
    """Layer groups, `raw_data` for every source, daily partitions, marts after the gates."""

    def __init__(
        self,
        catalog: ModelCatalog,
        partitions: dg.PartitionsDefinition | None = None,
        gate_keys: Sequence[dg.AssetKey] = (),
    ) -> None:
        super().__init__(
            settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
        )
        self.partitioned = catalog.partitioned_models()
        self.partitions = partitions
        self.gate_keys = tuple(gate_keys)
        self.freshness = marts_freshness(catalog.pipeline_vars().business_time_zone)

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return RAW_DATA_KEY
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return layer_of(dbt_resource_props) or super().get_group_name(dbt_resource_props)

    def get_partitions_def(
        self, dbt_resource_props: Mapping[str, Any]
    ) -> dg.PartitionsDefinition | None:
        is_model = dbt_resource_props["resource_type"] == "model"
        partitioned = is_model and dbt_resource_props["name"] in self.partitioned
        return self.partitions if partitioned else None

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if layer_of(self.get_resource_props(manifest, unique_id)) != "marts":
            return spec
        return spec.replace_attributes(
            deps=[*spec.deps, *(dg.AssetDep(key) for key in self.gate_keys)],
            freshness_policy=self.freshness,
        )


def dbt_build_args(*, full_refresh: bool, dbt_vars: Mapping[str, Any] | None = None) -> list[str]:
    """`dbt build` with the run's vars; `--full-refresh` for a full rebuild.

    The warehouse's runs leave out dbt's unit tests: they check the models'
    logic on fixed inputs, never the data a run builds, so running them on
    every run proves nothing new. The test command (`make test`: `dbt build`
    on the committed seeds) and a plain `dbt build` run them.
    """
    args = ["build", "--full-refresh"] if full_refresh else ["build"]
    args += ["--exclude", UNIT_TESTS]
    return [*args, "--vars", json.dumps(dict(dbt_vars))] if dbt_vars else args


def dbt_build_env(*, window: dg.TimeWindow | None, full_refresh: bool) -> dict[str, str]:
    """The partition window for dbt's environment; a full rebuild has none."""
    return partition_env(None if full_refresh else window)


# an asset's or an asset check's context: both tell the run's partitions and tags
RunContext = dg.AssetExecutionContext | dg.AssetCheckExecutionContext


def is_partitioned_run(context: RunContext) -> bool:
    """A run over one partition or a range of them (a backfill)."""
    partitioned: bool = context.has_partition_key or context.has_partition_key_range
    return partitioned


def is_full_refresh(context: RunContext) -> bool:
    """A run tagged to rebuild every model whole (the weekly rebuild, `redcat run`)."""
    return context.run.tags.get(FULL_REFRESH_TAG) == "true"


def build_args(context: dg.AssetExecutionContext, paths: DbtProjectPaths) -> list[str]:
    """The `dbt build` arguments for this step's run."""
    return dbt_build_args(full_refresh=is_full_refresh(context), dbt_vars=paths.dbt_vars)


def build_env(context: dg.AssetExecutionContext) -> dict[str, str]:
    """The partition window of this step's run, for dbt's environment."""
    return dbt_build_env(
        window=context.partition_time_window if is_partitioned_run(context) else None,
        full_refresh=is_full_refresh(context),
    )


def invocation_target(context: dg.AssetExecutionContext, paths: DbtProjectPaths) -> Path:
    """A target folder for one dbt call, holding the project's partial-parse state."""
    name = f"{context.op_execution_context.op.name}-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"
    target = paths.target_path / name
    target.mkdir(parents=True, exist_ok=True)
    partial_parse = paths.target_path / PARTIAL_PARSE_FILE
    if partial_parse.is_file():
        shutil.copy(partial_parse, target / PARTIAL_PARSE_FILE)
    return target


def _relation(node: Mapping[str, Any]) -> tuple[str, str] | None:
    """`(schema, name)` of a node dbt stores as a table; None for views and the rest."""
    if node.get("config", {}).get("materialized") in (None, "view", "ephemeral"):
        return None
    return node["schema"], node.get("alias") or node["name"]


def _metadata_text(value: Any) -> str:
    """A metadata entry's plain value (`TextMetadataValue` or str)."""
    return str(getattr(value, "value", value) or "")


def with_row_counts(
    events: Sequence[Any], manifest: Mapping[str, Any], warehouse: WarehouseResource
) -> Iterator[Any]:
    """The events, with `dagster/row_count` on each materialised table."""
    nodes = manifest["nodes"]
    relations: dict[int, tuple[str, str]] = {}
    for index, event in enumerate(events):
        if isinstance(event, (dg.Output, dg.AssetMaterialization)):
            node = nodes.get(_metadata_text(event.metadata.get("unique_id")))
            relation = _relation(node) if node else None
            if relation:
                relations[index] = relation
    counts = warehouse.row_counts(relations.values())
    for index, event in enumerate(events):
        relation = relations.get(index)
        if relation in counts:
            yield event.with_metadata(
                {**event.metadata, ROW_COUNT_KEY: dg.MetadataValue.int(counts[relation])}
            )
        else:
            yield event


def run_dbt_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    observer: PipelineObserver,
    paths: DbtProjectPaths,
    step: str,
) -> Iterator[Any]:
    """One `dbt build` of the selected models; events once dbt has released the warehouse.

    Each node dbt finishes is reported to `observer` (`done` of the `total` dbt
    announces), so `redcat run` can show the build's progress.
    """
    observer.started(step)
    # dagster-dbt starts dbt with a copy of this process's environment (steps run
    # one at a time, in process)
    with temporary_environment(build_env(context)):
        invocation = dbt.cli(
            build_args(context, paths),
            context=context,
            raise_on_error=False,
            target_path=invocation_target(context, paths),
        )
    events: list[Any] = []
    for raw in invocation.stream_raw_events():
        total = raw.raw_event.get("data", {}).get("total")
        if isinstance(total, int):
            observer.started(step, total=total)
        node = _node_done(raw.raw_event)
        if node is not None:
            observer.advanced(step, label=node)
        events.extend(
            raw.to_default_asset_events(
                manifest=invocation.manifest,
                dagster_dbt_translator=invocation.dagster_dbt_translator,
                context=context,
                target_path=invocation.target_path,
                project=invocation.project,
            )
        )
    yield from with_row_counts(events, invocation.manifest, warehouse)
    if not invocation.is_successful():
        observer.finished(step, None)
        raise invocation.get_error() or dg.Failure("dbt build failed")
    run_results = invocation.get_artifact("run_results.json")
    observer.finished(step, run_results)


def build_dbt_definitions(
    project: DbtProject,
    paths: DbtProjectPaths,
    catalog: ModelCatalog,
    partitions: dg.PartitionsDefinition,
    gate_keys: Sequence[dg.AssetKey],
) -> list[dg.AssetsDefinition]:
    """Two definitions: the warehouse up to the join models, then the marts."""
    translator = RedcatDbtTranslator(catalog, partitions, gate_keys)

    def define(name: str, select: str, exclude: str, step: str) -> dg.AssetsDefinition:
        @dbt_assets(
            manifest=paths.manifest_path,
            project=project,
            select=select,
            exclude=exclude,
            name=name,
            dagster_dbt_translator=translator,
            backfill_policy=dg.BackfillPolicy.single_run(),
            pool=WAREHOUSE_POOL,
        )
        def _dbt(
            context: dg.AssetExecutionContext,
            dbt: DbtCliResource,
            warehouse: WarehouseResource,
            observer: dg.ResourceParam[PipelineObserver],
        ) -> Iterator[Any]:
            yield from run_dbt_build(context, dbt, warehouse, observer, paths, step)

        return _dbt

    return [
        define("dbt_warehouse", select="fqn:*", exclude=MARTS_SELECTION, step=STEP_WAREHOUSE),
        define("dbt_marts", select=MARTS_SELECTION, exclude="", step=STEP_MARTS),
    ]
