"""What the dbt project says about its models, read from `manifest.json`.

dbt is the one home of model knowledge; Python holds no model list. Each fact
is declared on the models (YAML `config:` or `dbt_project.yml`) and read here:

- event-driven (each row belongs to one local business day), so
  daily-partitioned: `meta: {partition: daily}` -> `partitioned_models()`;
- incremental: `materialized: incremental` -> `incremental_models()`;
- guarded by the data contract (the shared-account join):
  `meta: {guarded_by_contract: true}` -> `contract_guarded_models()`;
- BI-facing (published for BI): dbt group `bi` (`+group: bi` on `models/marts`)
  -> `bi_facing_models()`;
- raw, accepted and quarantined rows per raw table (the publish gates' input):
  `meta: {publish_gate: row_counts}` -> `gate_model()`.

The dbt vars the Python side reads are rendered by dbt into the meta of group
`bi` (`models/_groups.yml`), so a run's `--vars` reaches them exactly as it
reaches the models; `pipeline_vars()` reads them from there, never from
`dbt_project.yml`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from redcat.errors import ExitStatus, RedcatError

PARTITION_META = "partition"
DAILY = "daily"
CONTRACT_META = "guarded_by_contract"
GATE_META = "publish_gate"
GATE_ROW_COUNTS = "row_counts"
BI_GROUP = "bi"
VARS_META = "pipeline_vars"
LAYERS = ("staging", "intermediate", "marts")


class CatalogError(RedcatError, LookupError):
    """The manifest lacks a declaration the pipeline needs (named in the message)."""

    exit_status = ExitStatus.BUILD_FAILED


@dataclass(frozen=True)
class PipelineVars:
    """The dbt vars the pipeline's Python steps use (defaults in `dbt_project.yml`)."""

    business_time_zone: str
    partitions_first_day: date
    partitions_last_day: date | None  # None: the partitions run up to today
    publish_max_quarantine_share: float
    publish_max_row_drop_share: float
    contract_min_match_rate: float
    match_min_confidence: float
    # days before a partition's first day that its run rebuilds too (late events)
    partition_lookback_days: int


def _as_date(value: Any) -> date | None:
    if value in (None, "", "None", "none", "null"):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class ModelCatalog:
    """The models of one parsed manifest and what dbt declares about them."""

    def __init__(self, manifest: Mapping[str, Any]) -> None:
        self.manifest = manifest
        self.models: dict[str, Mapping[str, Any]] = {
            node["name"]: node
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model"
        }

    def _meta(self, name: str) -> Mapping[str, Any]:
        node = self.models[name]
        return node.get("config", {}).get("meta") or node.get("meta") or {}

    def _with_meta(self, key: str, value: Any) -> frozenset[str]:
        return frozenset(name for name in self.models if self._meta(name).get(key) == value)

    def layer(self, name: str) -> str | None:
        """The model's folder under `models/` when it is a layer (staging, intermediate, marts)."""
        fqn = self.models[name].get("fqn") or []
        folder = fqn[1] if len(fqn) > 2 else None
        return folder if folder in LAYERS else None

    def partitioned_models(self) -> frozenset[str]:
        """Event-driven models: each row belongs to one local business day."""
        return self._with_meta(PARTITION_META, DAILY)

    def day_columns(self) -> dict[str, str]:
        """The day column of each model partitioned by day that names one: the
        `partitioned_by` of its `unique_in_partition_window` test."""
        found: dict[str, str] = {}
        names = {node["unique_id"]: name for name, node in self.models.items()}
        for node in self.manifest["nodes"].values():
            metadata = node.get("test_metadata") or {}
            name = names.get(node.get("attached_node") or "")
            if metadata.get("name") == "unique_in_partition_window" and name is not None:
                found[name] = str(metadata["kwargs"]["partitioned_by"])
        partitioned = self.partitioned_models()
        return {name: column for name, column in sorted(found.items()) if name in partitioned}

    def incremental_models(self) -> frozenset[str]:
        return frozenset(
            name
            for name, node in self.models.items()
            if node.get("config", {}).get("materialized") == "incremental"
        )

    def bi_facing_models(self) -> frozenset[str]:
        return frozenset(
            name for name, node in self.models.items() if node.get("group") == BI_GROUP
        )

    def contract_guarded_models(self) -> list[str]:
        """The models the data contract guards, upstream first (ties by name)."""
        guarded = self._with_meta(CONTRACT_META, True)
        uid_to_name = {self.models[name]["unique_id"]: name for name in guarded}
        parents = {
            name: {
                uid_to_name[uid]
                for uid in self.ancestors(self.models[name]["unique_id"])
                if uid in uid_to_name
            }
            for name in guarded
        }
        ordered: list[str] = []
        while len(ordered) < len(guarded):
            ready = sorted(n for n in guarded if n not in ordered and parents[n] <= set(ordered))
            ordered.append(ready[0])
        return ordered

    def ancestors(self, unique_id: str) -> set[str]:
        """Every node `unique_id` is built from, directly or not."""
        parent_map: Mapping[str, list[str]] = self.manifest.get("parent_map") or {}
        seen: set[str] = set()
        stack = [unique_id]
        while stack:
            current = stack.pop()
            for parent in parent_map.get(current) or self._depends_on(current):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return seen

    def _depends_on(self, unique_id: str) -> list[str]:
        node = self.manifest["nodes"].get(unique_id) or {}
        return list(node.get("depends_on", {}).get("nodes") or [])

    def gate_model(self) -> Mapping[str, Any]:
        """The model holding raw, accepted and quarantined rows per raw table."""
        found = sorted(self._with_meta(GATE_META, GATE_ROW_COUNTS))
        if len(found) != 1:
            raise CatalogError(
                f"expected one model with meta {GATE_META}: {GATE_ROW_COUNTS}, found {found}"
            )
        return self.models[found[0]]

    def pipeline_vars(self) -> PipelineVars:
        """The vars rendered into group `bi`'s meta (`models/_groups.yml`)."""
        group = next(
            (g for g in (self.manifest.get("groups") or {}).values() if g["name"] == BI_GROUP),
            None,
        )
        meta = ((group or {}).get("config") or {}).get("meta") or {}
        values = meta.get(VARS_META)
        if not isinstance(values, Mapping):
            raise CatalogError(f"group {BI_GROUP!r} has no meta {VARS_META!r} (models/_groups.yml)")
        try:
            first_day = _as_date(values["partitions_first_day"])
            if first_day is None:
                raise CatalogError("dbt var partitions_first_day is not set")
            return PipelineVars(
                business_time_zone=str(values["business_time_zone"]),
                partitions_first_day=first_day,
                partitions_last_day=_as_date(values.get("partitions_last_day")),
                publish_max_quarantine_share=float(values["publish_max_quarantine_share"]),
                publish_max_row_drop_share=float(values["publish_max_row_drop_share"]),
                contract_min_match_rate=float(values["contract_min_match_rate"]),
                match_min_confidence=float(values["match_min_confidence"]),
                partition_lookback_days=int(values["partition_lookback_days"]),
            )
        except KeyError as missing:
            raise CatalogError(
                f"meta {VARS_META!r} of group {BI_GROUP!r} lacks {missing}"
            ) from None

    def relation(self, name: str) -> tuple[str, str]:
        """`(schema, identifier)` of a model."""
        node = self.models[name]
        return node["schema"], node.get("alias") or node["name"]
