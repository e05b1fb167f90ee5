"""`raw_data`: the raw relations the staging layer reads (step 1, `redcat.pipeline.raw`).

Three sources, chosen in the launchpad (config `source`): `sample` (the
committed dbt seeds), `generate` (synthetic data for `scale` and `seed`),
`load` (the raw directory `raw_dir`, laid out per the raw contract).
"""

from pathlib import Path
from typing import Any, Literal

import dagster as dg
from pydantic import Field

from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from redcat.contract import RAW_SCHEMA, RAW_TABLES, SAMPLE_SCHEMA
from redcat.pipeline import (
    DEFAULT_ENCODING,
    DEFAULT_SEED,
    STEP_RAW,
    PipelineObserver,
    RawData,
    RawRequest,
    prepare_raw,
)
from redcat.warehouse import project_root

RAW_GROUP = "raw"
RAW_DATA_KEY = dg.AssetKey("raw_data")


class RawDataConfig(dg.Config):
    """Where the raw data comes from."""

    source: Literal["sample", "generate", "load"] = Field(
        default="sample",
        description=(
            "`sample`: the committed seeds; `generate`: synthetic data for `scale` and `seed`; "
            "`load`: the raw directory `raw_dir`."
        ),
    )
    scale: float = Field(
        default=0.01, gt=0, description="Scale factor for `generate` (1 = about 10 M xhs events)."
    )
    seed: int = Field(default=DEFAULT_SEED, ge=0, description="Random seed for `generate`.")
    raw_dir: str | None = Field(
        default=None,
        description=(
            "`load`: the raw directory to load (required). `generate`: where to write "
            "(default data/generated/sf<scale>_seed<seed>/)."
        ),
    )

    encoding: str = Field(
        default=DEFAULT_ENCODING,
        description="`load`: the encoding of the raw directory's CSV files (e.g. gb18030).",
    )

    def request(self) -> RawRequest:
        return RawRequest(
            source=self.source,
            raw_dir=Path(self.raw_dir) if self.raw_dir else None,
            scale=self.scale,
            seed=self.seed,
            encoding=self.encoding,
        )


def raw_metadata(raw: RawData) -> dict[str, dg.MetadataValue]:
    """What the step did, as the materialisation's metadata."""
    metadata: dict[str, dg.MetadataValue] = {"source": dg.MetadataValue.text(raw.source)}
    if raw.load is None:
        metadata["seed_schema"] = dg.MetadataValue.text(SAMPLE_SCHEMA)
        metadata["dropped_loaded_relations"] = dg.MetadataValue.int(len(raw.dropped))
        return metadata
    report = raw.load
    metadata.update(
        {
            "raw_dir": dg.MetadataValue.path(str(report.raw_dir)),
            "relations": dg.MetadataValue.table(
                records=[
                    dg.TableRecord({"relation": f"{RAW_SCHEMA}.{relation}", "rows": count})
                    for relation, count in report.rows_per_table.items()
                ],
                schema=dg.TableSchema(
                    columns=[dg.TableColumn("relation", "string"), dg.TableColumn("rows", "int")]
                ),
            ),
            "dagster/row_count": dg.MetadataValue.int(report.total_rows),
            "load_seconds": dg.MetadataValue.float(round(report.seconds, 3)),
            "warnings": dg.MetadataValue.text("\n".join(report.warnings) or "none"),
        }
    )
    if raw.source == "generate":
        metadata["reused_generation"] = dg.MetadataValue.bool(raw.reused_generation)
    return metadata


@dg.asset(
    key=RAW_DATA_KEY,
    group_name=RAW_GROUP,
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description=(
        "Raw relations of the warehouse (schema `raw`, "
        + ", ".join(t.relation for t in RAW_TABLES)
        + "): the committed sample, generated data or a loaded raw directory."
    ),
)
def raw_data(
    context: dg.AssetExecutionContext,
    config: RawDataConfig,
    warehouse: WarehouseResource,
    observer: dg.ResourceParam[PipelineObserver],
) -> dg.MaterializeResult[Any]:
    if config.source == "load" and not config.raw_dir:
        raise dg.Failure("source `load` needs `raw_dir`: the raw directory to load")
    observer.started(STEP_RAW)
    raw = prepare_raw(config.request(), warehouse.path, project_root(), echo=context.log.info)
    context.log.info(f"raw data: {raw.description}")
    observer.finished(STEP_RAW, raw)
    return dg.MaterializeResult(metadata=raw_metadata(raw))
