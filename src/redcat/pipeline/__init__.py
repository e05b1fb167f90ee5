"""The redcat pipeline: its steps, in the order they run, and what dbt says about its models.

    raw data -> staging and intermediate (dbt build) -> publish gates + data contract
             -> marts (dbt build) -> publish for BI

The order is written once, as the Dagster asset graph in `orchestration/`
(`orchestration.definitions`); `redcat run` executes that graph's job
`redcat_run` in process, the daily and weekly schedules execute the same
assets. This package holds the steps themselves, with no Dagster in them:

- `redcat.pipeline.raw`: the raw data (committed seeds, a raw directory, generated data);
- `redcat.pipeline.project`: the dbt project, its target folder and a current manifest;
- `redcat.pipeline.catalog`: what the manifest declares about the models, and the vars;
- `redcat.pipeline.gates`: the publish gates on raw volumes and quarantine;
- `redcat.contract_checks`: the data contract (Great Expectations);
- `redcat.pipeline.publication`: the publication for BI and its record;
- `redcat.pipeline.observer`: how a step reports its progress.
"""

from redcat.load import DEFAULT_ENCODING
from redcat.pipeline.catalog import CatalogError, ModelCatalog, PipelineVars
from redcat.pipeline.contract import contract_gx_root
from redcat.pipeline.gates import (
    GateReport,
    PublishGateError,
    TableVolume,
    check_publish_gates,
    read_volumes,
    table_key,
    volume_baseline,
)
from redcat.pipeline.observer import (
    STEP_CONTRACT,
    STEP_GATES,
    STEP_MARTS,
    STEP_PUBLISH,
    STEP_RAW,
    STEP_WAREHOUSE,
    STEPS,
    PipelineObserver,
)
from redcat.pipeline.project import (
    BUILD_BEFORE_CONTRACT,
    BUILD_MARTS,
    DBT_TARGET_ENV,
    MARTS_SELECTION,
    DbtProjectPaths,
    dbt_environment,
    dbt_project_paths,
    load_manifest,
    manifest_is_current,
    prepare_manifest,
    temporary_environment,
)
from redcat.pipeline.publication import (
    PublicationRecord,
    publish_for_bi,
    read_publication_record,
)
from redcat.pipeline.raw import (
    DEFAULT_SEED,
    RawData,
    RawRequest,
    prepare_raw,
    raw_is_loaded,
)
from redcat.pipeline.relations import list_relations, row_counts

__all__ = [
    "BUILD_BEFORE_CONTRACT",
    "BUILD_MARTS",
    "DBT_TARGET_ENV",
    "DEFAULT_ENCODING",
    "DEFAULT_SEED",
    "MARTS_SELECTION",
    "STEPS",
    "STEP_CONTRACT",
    "STEP_GATES",
    "STEP_MARTS",
    "STEP_PUBLISH",
    "STEP_RAW",
    "STEP_WAREHOUSE",
    "CatalogError",
    "DbtProjectPaths",
    "GateReport",
    "ModelCatalog",
    "PipelineObserver",
    "PipelineVars",
    "PublicationRecord",
    "PublishGateError",
    "RawData",
    "RawRequest",
    "TableVolume",
    "check_publish_gates",
    "contract_gx_root",
    "dbt_environment",
    "dbt_project_paths",
    "list_relations",
    "load_manifest",
    "manifest_is_current",
    "prepare_manifest",
    "prepare_raw",
    "publish_for_bi",
    "raw_is_loaded",
    "read_publication_record",
    "read_volumes",
    "row_counts",
    "table_key",
    "temporary_environment",
    "volume_baseline",
]
