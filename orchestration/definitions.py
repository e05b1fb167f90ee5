"""The redcat Dagster definitions: the one pipeline, as assets and checks.

    raw_data -> dbt_warehouse (staging, intermediate) -> publish_gates + shared_account_contract
             -> dbt_marts -> bi_publication

Start the UI from the project folder with `python -m orchestration` (or
`dagster dev`, which finds this module through `pyproject.toml`). The
warehouse is `REDCAT_DUCKDB_PATH` (default `warehouse/redcat.duckdb`), the dbt
target `DBT_TARGET`, dbt's artefacts `DBT_TARGET_PATH`. Steps run one after
another in the run's process (DuckDB has one writer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from orchestration.assets.dbt import RedcatDbtTranslator, build_dbt_definitions
from orchestration.assets.publish import build_publication_asset
from orchestration.assets.raw import raw_data
from orchestration.checks.contract import build_contract_checks
from orchestration.checks.gates import build_gate_check
from orchestration.partitions import daily_partitions
from orchestration.project import build_dbt_project
from orchestration.resources import build_resources
from orchestration.schedules import JOBS, build_schedules
from redcat.pipeline import ModelCatalog, load_manifest


def build_definitions(
    resources: Mapping[str, Any] | None = None, dbt_vars: Mapping[str, Any] | None = None
) -> dg.Definitions:
    """Everything, for the current environment (warehouse path, dbt target) and dbt vars.

    `resources` replaces resources by key (tests point the contract at a copy
    of the GX project; `redcat run` passes its progress display as `observer`).
    """
    project, paths = build_dbt_project(dbt_vars=dbt_vars)
    catalog = ModelCatalog(load_manifest(paths))
    settings = catalog.pipeline_vars()
    partitions = daily_partitions(settings)
    keys = RedcatDbtTranslator(catalog)
    model_keys = {name: keys.get_asset_key(node) for name, node in catalog.models.items()}
    contract_checks, contract_gate = build_contract_checks(catalog, model_keys)
    gate_key = model_keys[catalog.gate_model()["name"]]
    bi_keys = [model_keys[name] for name in sorted(catalog.bi_facing_models())]
    return dg.Definitions(
        assets=[
            raw_data,
            *build_dbt_definitions(project, paths, catalog, partitions, [*contract_gate, gate_key]),
            build_publication_asset(catalog, bi_keys),
        ],
        asset_checks=[*contract_checks, build_gate_check(catalog, gate_key)],
        jobs=JOBS,
        schedules=build_schedules(settings),
        resources={**build_resources(project), **(resources or {})},
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
