"""The redcat Dagster definitions: raw data -> dbt models -> contract checks -> marts.

Start the UI from the project folder:

    .venv/bin/dagster dev -m orchestration.definitions

The warehouse is `REDCAT_DUCKDB_PATH` (default `warehouse/redcat.duckdb`),
the dbt target `DBT_TARGET`, dbt's artefacts `DBT_TARGET_PATH`. Steps run
one after another in the run's process (DuckDB has one writer).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg

from orchestration.assets.dbt import RedcatDbtTranslator, build_dbt_definitions
from orchestration.assets.raw import raw_data
from orchestration.checks.contract import build_contract_checks
from orchestration.project import build_dbt_project
from orchestration.resources import build_resources
from orchestration.schedules import JOBS, SCHEDULES


def build_definitions(resources: Mapping[str, Any] | None = None) -> dg.Definitions:
    """Everything, for the current environment (warehouse path, dbt target).

    `resources` replaces resources by key (tests point the contract at a copy
    of the GX project).
    """
    project = build_dbt_project()
    manifest = json.loads(project.manifest_path.read_text(encoding="utf-8"))
    translator = RedcatDbtTranslator()
    model_keys = {
        node["name"]: translator.get_asset_key(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    contract_checks, contract_gate = build_contract_checks(manifest, model_keys)
    return dg.Definitions(
        assets=[raw_data, *build_dbt_definitions(project, contract_gate)],
        asset_checks=contract_checks,
        jobs=JOBS,
        schedules=SCHEDULES,
        resources={**build_resources(project), **(resources or {})},
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
