"""Every dbt model, seed and test as Dagster assets and asset checks.

- Groups follow the layers: seeds in `raw`, then `staging`, `intermediate`,
  `marts` (the model's folder under `models/`).
- Every dbt source (schema `raw`) is the `raw_data` asset, so the staging
  layer depends on it.
- The event-driven models (`orchestration.partitions.EVENT_DRIVEN_MODELS`)
  are daily-partitioned; a run over a partition passes its window as dbt vars.
- dbt data tests are asset checks; with severity `error` they block what
  comes after them.
- The marts are one definition of their own, after the contract checks on the
  shared-account join (`orchestration.checks.contract`): every mart depends on
  every checked join model, so a failing contract skips all of them.
- Each invocation is `dbt build`; when it ends, row counts of the tables it
  built are read on one short read-only connection and attached to the
  materialisations (`dagster/row_count`).
- A run tagged `redcat/full_refresh=true` (the weekly rebuild) runs
  `dbt build --full-refresh` without partition vars.
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
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
from orchestration.partitions import (
    BUSINESS_TIME_ZONE,
    EVENT_DRIVEN_MODELS,
    daily_partitions,
    partition_vars,
)
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource

LAYERS = ("staging", "intermediate", "marts")
MARTS_SELECT = "path:models/marts"
FULL_REFRESH_TAG = "redcat/full_refresh"
ROW_COUNT_KEY = "dagster/row_count"

# The marts are due every day by 06:00 Asia/Shanghai (the daily run starts at
# 02:00), updated within the 24 hours before.
MARTS_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 6 * * *",
    lower_bound_delta=timedelta(hours=24),
    timezone=BUSINESS_TIME_ZONE,
)


def layer_of(resource_props: Mapping[str, Any]) -> str | None:
    """`raw` for seeds, else the folder under `models/` when it is a layer."""
    if resource_props["resource_type"] == "seed":
        return RAW_GROUP
    fqn = resource_props.get("fqn") or []
    folder = fqn[1] if len(fqn) > 2 else None
    return folder if folder in LAYERS else None


class RedcatDbtTranslator(DagsterDbtTranslator):
    """Layer groups, `raw_data` for every source, daily partitions, marts after the contract."""

    def __init__(self, contract_gate: Sequence[dg.AssetKey] = ()) -> None:
        super().__init__(
            settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
        )
        self.contract_gate = tuple(contract_gate)

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
        event_driven = is_model and dbt_resource_props["name"] in EVENT_DRIVEN_MODELS
        return daily_partitions if event_driven else None

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if layer_of(self.get_resource_props(manifest, unique_id)) != "marts":
            return spec
        return spec.replace_attributes(
            deps=[*spec.deps, *(dg.AssetDep(key) for key in self.contract_gate)],
            freshness_policy=MARTS_FRESHNESS,
        )


def dbt_build_args(*, window: dg.TimeWindow | None, full_refresh: bool) -> list[str]:
    """`dbt build` with the partition window as vars; a full rebuild has no window."""
    if full_refresh:
        return ["build", "--full-refresh"]
    if window is None:
        return ["build"]
    return ["build", "--vars", json.dumps(partition_vars(window))]


def _is_partitioned_run(context: dg.AssetExecutionContext) -> bool:
    """A run over one partition or a range of them (a backfill)."""
    return context.has_partition_key or context.has_partition_key_range


def build_args(context: dg.AssetExecutionContext) -> list[str]:
    """The `dbt build` arguments for this step's run."""
    return dbt_build_args(
        window=context.partition_time_window if _is_partitioned_run(context) else None,
        full_refresh=context.run.tags.get(FULL_REFRESH_TAG) == "true",
    )


def _relation(node: Mapping[str, Any]) -> tuple[str, str] | None:
    """`(schema, name)` of a node dbt stores as a table; None for views and the rest."""
    if node.get("config", {}).get("materialized") in (None, "view", "ephemeral"):
        return None
    return node["schema"], node.get("alias") or node["name"]


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


def _metadata_text(value: Any) -> str:
    """A metadata entry's plain value (`TextMetadataValue` or str)."""
    return str(getattr(value, "value", value) or "")


def run_dbt_build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """One `dbt build` of the selected models; events once dbt has released the warehouse."""
    invocation = dbt.cli(build_args(context), context=context, raise_on_error=False)
    events = list(invocation.stream())
    yield from with_row_counts(events, invocation.manifest, warehouse)
    if not invocation.is_successful():
        raise invocation.get_error() or dg.Failure("dbt build failed")


def build_dbt_definitions(
    project: DbtProject, contract_gate: Sequence[dg.AssetKey]
) -> list[dg.AssetsDefinition]:
    """Two definitions: the warehouse up to the join models, then the marts."""
    translator = RedcatDbtTranslator(contract_gate)

    def define(name: str, select: str, exclude: str) -> dg.AssetsDefinition:
        @dbt_assets(
            manifest=project.manifest_path,
            project=project,
            select=select,
            exclude=exclude,
            name=name,
            dagster_dbt_translator=translator,
            backfill_policy=dg.BackfillPolicy.single_run(),
            pool=WAREHOUSE_POOL,
        )
        def _dbt(
            context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
        ) -> Iterator[Any]:
            yield from run_dbt_build(context, dbt, warehouse)

        return _dbt

    return [
        define("dbt_warehouse", select="fqn:*", exclude=MARTS_SELECT),
        define("dbt_marts", select=MARTS_SELECT, exclude=""),
    ]
