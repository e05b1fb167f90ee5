"""`bi_publication`: the marts published for BI (the last step, `redcat.pipeline.publication`).

It depends on every BI-facing model (dbt group `bi`), so it runs once they
are built, and never when a blocking check before the marts (the data
contract, the publish gates) failed: the previous publication then stays as
it was. Scheduled, backfill and `redcat run` runs all end here.
"""

from collections.abc import Iterable
from typing import Any

import dagster as dg

from orchestration.assets.dbt import is_full_refresh, is_partitioned_run
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from redcat.pipeline import (
    STEP_PUBLISH,
    ModelCatalog,
    PipelineObserver,
    publish_for_bi,
    raw_is_loaded,
    read_volumes,
)

PUBLICATION_KEY = dg.AssetKey("bi_publication")


def build_publication_asset(
    catalog: ModelCatalog, mart_keys: Iterable[dg.AssetKey]
) -> dg.AssetsDefinition:
    relation = catalog.relation(catalog.gate_model()["name"])
    # the marts partitioned by day, by table name, with their day column
    bi_facing = catalog.bi_facing_models()
    day_columns = {
        catalog.relation(name)[1]: column
        for name, column in catalog.day_columns().items()
        if name in bi_facing
    }
    mart_deps = sorted(mart_keys, key=lambda k: k.to_user_string())

    @dg.asset(
        key=PUBLICATION_KEY,
        group_name="marts",
        deps=mart_deps,
        kinds={"duckdb", "parquet"},
        pool=WAREHOUSE_POOL,
        description=(
            "The BI-facing marts (dbt group `bi`) published for BI: "
            "warehouse/published/redcat_marts.duckdb (DuckDB v1.0 storage) and "
            "warehouse/published/parquet/, each swapped in whole, with publication.json "
            "(when, and the raw rows it was built from)."
        ),
    )
    def bi_publication(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        observer: dg.ResourceParam[PipelineObserver],
    ) -> dg.MaterializeResult[Any]:
        observer.started(STEP_PUBLISH)
        volumes = read_volumes(warehouse.path, relation)
        # a partition run changed some days of the daily marts: those are written
        # again into a copy of the last publication; any other run publishes whole
        partition_run = is_partitioned_run(context) and not is_full_refresh(context)
        publication, record = publish_for_bi(
            warehouse.path,
            raw_source="load" if raw_is_loaded(warehouse.path) else "sample",
            raw_rows={v.table: v.raw_rows for v in volumes},
            day_columns=day_columns if partition_run else None,
        )
        context.log.info(f"published {len(publication.rows_per_relation)} marts for BI")
        observer.finished(STEP_PUBLISH, publication)
        return dg.MaterializeResult(
            metadata={
                "database": dg.MetadataValue.path(str(publication.database)),
                "parquet": dg.MetadataValue.path(str(publication.parquet_dir)),
                "published_at": dg.MetadataValue.text(record.published_at),
                "dagster/row_count": dg.MetadataValue.int(
                    sum(publication.rows_per_relation.values())
                ),
                "relations": dg.MetadataValue.int(len(publication.rows_per_relation)),
                # relation -> days written again, for the daily marts a partition run
                # updated in a copy of the last publication; empty: all copied whole
                "days_rewritten": dg.MetadataValue.json(publication.days_rewritten),
            }
        )

    return bi_publication
