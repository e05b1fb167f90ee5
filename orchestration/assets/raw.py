"""`raw_data`: the raw relations the staging layer reads.

Three sources, chosen in the launchpad (config `source`):

- `sample`: the committed dbt seeds (schema `raw_sample`). Loaded raw
  relations are dropped so the seeds apply; the seeds themselves are dbt
  assets in the same group.
- `generate`: synthetic data for `scale` and `seed`, written to `raw_dir`
  (default `data/generated/sf<scale>_seed<seed>/`, reused when it already
  holds that generation), then loaded.
- `load`: the raw directory `raw_dir` (SOURCES.md layout), loaded as is.

Loading replaces every relation of schema `raw` in one transaction.
"""

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

import dagster as dg
from pydantic import Field

from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from redcat.contract import RAW_SCHEMA, RAW_TABLES, SAMPLE_SCHEMA
from redcat.load import LoadReport, clear_loaded_raw, load_raw_dir
from redcat.run import DEFAULT_SEED, generated_dir, manifest_matches
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


def _load_metadata(report: LoadReport) -> dict[str, dg.MetadataValue]:
    rows = dg.TableRecord
    return {
        "raw_dir": dg.MetadataValue.path(str(report.raw_dir)),
        "relations": dg.MetadataValue.table(
            records=[
                rows({"relation": f"{RAW_SCHEMA}.{relation}", "rows": count})
                for relation, count in report.rows_per_table.items()
            ],
            schema=dg.TableSchema(
                columns=[
                    dg.TableColumn("relation", "string"),
                    dg.TableColumn("rows", "int"),
                ]
            ),
        ),
        "dagster/row_count": dg.MetadataValue.int(report.total_rows),
        "load_seconds": dg.MetadataValue.float(round(report.seconds, 3)),
        "warnings": dg.MetadataValue.text("\n".join(report.warnings) or "none"),
    }


def use_sample(
    config: RawDataConfig, db_path: Path, log: dg.DagsterLogManager
) -> dict[str, dg.MetadataValue]:
    dropped = clear_loaded_raw(db_path)
    log.info(f"raw data: the committed seeds (schema {SAMPLE_SCHEMA}); dropped {dropped or 'none'}")
    return {
        "source": dg.MetadataValue.text("sample"),
        "seed_schema": dg.MetadataValue.text(SAMPLE_SCHEMA),
        "dropped_loaded_relations": dg.MetadataValue.int(len(dropped)),
    }


def load_dir(
    config: RawDataConfig, db_path: Path, log: dg.DagsterLogManager
) -> dict[str, dg.MetadataValue]:
    if not config.raw_dir:
        raise dg.Failure("source `load` needs `raw_dir`: the raw directory to load")
    report = load_raw_dir(Path(config.raw_dir).expanduser(), db_path)
    log.info(f"loaded {report.total_rows} rows from {report.raw_dir}")
    return {"source": dg.MetadataValue.text("load"), **_load_metadata(report)}


def generate_and_load(
    config: RawDataConfig, db_path: Path, log: dg.DagsterLogManager
) -> dict[str, dg.MetadataValue]:
    from redcat.generate import write_raw_dir

    out = (
        Path(config.raw_dir).expanduser()
        if config.raw_dir
        else generated_dir(project_root(), config.scale, config.seed)
    )
    reused = manifest_matches(out, config.scale, config.seed)
    if reused:
        log.info(f"reusing the generation in {out}")
    else:
        log.info(f"generating scale {config.scale:g}, seed {config.seed} into {out}")
        write_raw_dir(out, config.scale, config.seed, progress=False)
    report = load_raw_dir(out, db_path)
    return {
        "source": dg.MetadataValue.text("generate"),
        "scale": dg.MetadataValue.float(config.scale),
        "seed": dg.MetadataValue.int(config.seed),
        "reused_generation": dg.MetadataValue.bool(reused),
        **_load_metadata(report),
    }


RawSource = Callable[[RawDataConfig, Path, dg.DagsterLogManager], dict[str, dg.MetadataValue]]

RAW_SOURCES: Mapping[str, RawSource] = {
    "sample": use_sample,
    "load": load_dir,
    "generate": generate_and_load,
}


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
    context: dg.AssetExecutionContext, config: RawDataConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    metadata = RAW_SOURCES[config.source](config, warehouse.path, context.log)
    return dg.MaterializeResult(metadata=metadata)
