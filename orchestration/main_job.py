"""The main job `redcat_run`, executed in the caller's process (what `redcat run` does).

The definitions are built with the run's dbt vars and resources (the
warehouse, the GX project, the accepted volume changes, the observer that
shows progress), and the job runs over the last partition (the data's last
day) as a full rebuild, on an in-memory instance or (`persistent`) the
warehouse's own Dagster instance, so that the run shows in the UI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.definitions import build_definitions
from orchestration.instance import ephemeral_instance, persistent_instance
from orchestration.resources import ContractResource, PublishGatesResource, WarehouseResource
from orchestration.schedules import MAIN_JOB
from redcat.pipeline import PipelineObserver, RawRequest


def raw_data_config(request: RawRequest) -> dict[str, Any]:
    """The run config of `raw_data` for a request."""
    config: dict[str, Any] = {
        "source": request.source,
        "scale": request.scale,
        "seed": request.seed,
        "encoding": request.encoding,
    }
    if request.raw_dir is not None:
        config["raw_dir"] = str(request.raw_dir)
    return {"ops": {"raw_data": {"config": config}}}


def execute_main_job(
    request: RawRequest,
    db_path: Path,
    *,
    observer: PipelineObserver,
    gx_root: Path | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
    accept_volume_change: Sequence[str] = (),
    persistent: bool = False,
) -> bool:
    """Execute `redcat_run`; True when every step succeeded.

    A step's own exception (a rejected raw directory, a failed dbt build) is
    raised as the step raised it, out of Dagster's wrapper.
    """
    defs = build_definitions(
        resources={
            "warehouse": WarehouseResource(db_path=str(db_path)),
            "contract": ContractResource(gx_root=str(gx_root) if gx_root else None),
            "publish_gates": PublishGatesResource(accept_volume_change=list(accept_volume_change)),
            "observer": observer,
        },
        dbt_vars=dbt_vars,
    )
    job = defs.resolve_job_def(MAIN_JOB)
    partitions = next(
        spec.partitions_def
        for spec in defs.resolve_all_asset_specs()
        if spec.partitions_def is not None
    )
    instance = persistent_instance(db_path) if persistent else ephemeral_instance()
    with instance as dagster:
        try:
            result = job.execute_in_process(
                run_config=raw_data_config(request),
                instance=dagster,
                partition_key=partitions.get_last_partition_key(),
                raise_on_error=True,
            )
        except dg.DagsterError as error:
            cause = getattr(error, "user_exception", None)
            if isinstance(cause, Exception):
                raise cause from error
            raise
    return bool(result.success)
