"""Resources, chosen by environment.

`DBT_TARGET` picks the dbt target (default: the profile's default, `duckdb`)
and with it the warehouse resources; `REDCAT_DUCKDB_PATH` picks the DuckDB
file (default `<root>/warehouse/redcat.duckdb`). Assets only call the
resources' methods, whatever the environment.

- `dbt`: the dbt CLI on the project;
- `warehouse`: the DuckDB file (row counts on short read-only connections).
  It lives for the whole run and holds the warehouse lock meanwhile
  (`redcat.warehouse.hold_warehouse_lock`, taken in `yield_for_execution`);
- `contract`: the Great Expectations contract;
- `publish_gates`: the run's exceptions to the volume gates
  (`accept_volume_change`, set in the launchpad or by `redcat run`);
- `observer`: what the steps report to (`redcat.pipeline.PipelineObserver`;
  `redcat run` passes its progress display).

`RESOURCES_BY_TARGET` has an entry per dbt target. On `postgres` and `spark`
the dbt assets build on that engine and their row counts are read there; the
contract runs inside PostgreSQL on `postgres`, while on `spark` the Great
Expectations suites do not run (its check fails, saying so; the dbt tests of
the same rules run in the build; docs/engines.md). Raw data for those engines
is loaded with `python -m redcat.server load` or `python -m redcat.spark load`;
the `raw_data` asset, the publish gates, `bi_publication` and the run's lock
work on the DuckDB file.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Self

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from pydantic import Field

from orchestration.project import dbt_executable
from redcat.pipeline import (
    DBT_TARGET_ENV,
    PipelineObserver,
    PipelineVars,
    contract_gx_root,
    row_counts,
    table_key,
)
from redcat.warehouse import hold_warehouse_lock, warehouse_path

DEFAULT_TARGET = "duckdb"
# Every step that writes or reads the DuckDB file runs in this pool (limit 1).
WAREHOUSE_POOL = "redcat_warehouse"


class WarehouseResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """The DuckDB warehouse file: short-lived connections, one at a time."""

    db_path: str

    @property
    def path(self) -> Path:
        return Path(self.db_path)

    def row_counts(self, relations: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Rows in each existing `(schema, name)` relation, on one read-only connection."""
        return row_counts(self.path, relations)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[Self]:
        """Hold the warehouse lock for the whole run: a run started while `redcat load`,
        `redcat run` or another run works on the warehouse fails at once, naming it
        (`redcat run` holds the lock already and takes it again in its own process)."""
        run = context.run
        holder = f"dagster run {run.run_id} of job {run.job_name}" if run else "a dagster run"
        with hold_warehouse_lock(self.path, holder):
            yield self


class ContractResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """The Great Expectations contract on the shared-account join (`redcat.contract_checks`)."""

    build_data_docs: bool = True
    sample_size: int = 5
    gx_root: str | None = None  # the GX project; default <root>/gx

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """At the start of a run: import Great Expectations in the background meanwhile
        (seconds of imports the contract step would otherwise wait for)."""
        from redcat.contract_checks import preload

        preload()

    # shadows pydantic's deprecated classmethod `BaseModel.validate`, which dagster never calls
    def validate(  # type: ignore[override]
        self, db_path: Path, settings: PipelineVars, rows_from: date | None = None
    ) -> Any:
        """Run the contract against the warehouse at `db_path` with the thresholds of
        `settings` (the run's dbt vars); returns its `ContractReport`. `rows_from`, a
        partition run's first rebuilt day, limits the relations partitioned by day to
        their rows from that day on."""
        from redcat.contract_checks import run_contract

        gx_root = contract_gx_root(settings, db_path, Path(self.gx_root) if self.gx_root else None)
        try:
            return run_contract(
                db_path,
                build_data_docs=self.build_data_docs,
                sample_size=self.sample_size,
                gx_root=gx_root,
                rebuilt_from=rows_from,
            )
        finally:
            # GX's data context is left as cyclic garbage holding duckdb objects; collected
            # at interpreter exit instead, after duckdb's bindings were torn down, they are
            # reported as "nanobind: leaked ..." after the run's last line.
            gc.collect()


class PublishGatesResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """The run's exceptions to the publish gates' volume rules."""

    # raw tables (`tb/orders`) whose drop in volume is real
    accept_volume_change: list[str] = Field(default_factory=list)

    def accepted(self) -> tuple[str, ...]:
        """The tables, checked against the raw contract and named `source/table`."""
        return tuple(table_key(name) for name in self.accept_volume_change)


def duckdb_resources(project: DbtProject) -> dict[str, Any]:
    """The embedded default: dbt on the DuckDB file, the contract run inside it."""
    return {
        "dbt": DbtCliResource(project_dir=project, dbt_executable=dbt_executable()),
        "warehouse": WarehouseResource(db_path=str(warehouse_path(project.project_dir))),
        "contract": ContractResource(),
        "publish_gates": PublishGatesResource(),
        "observer": PipelineObserver(),
    }


class ServerWarehouseResource(WarehouseResource):
    """The server warehouse (PostgreSQL, `REDCAT_PG_*`): row counts on a short connection;
    the run holds the lock of `db_path` (the DuckDB file the other steps use)."""

    def row_counts(self, relations: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        from redcat.server import connect

        wanted = list(dict.fromkeys(relations))
        counts: dict[tuple[str, str], int] = {}
        if not wanted:
            return counts
        with connect() as con, con.cursor() as cursor:
            for schema, name in wanted:
                cursor.execute("select to_regclass(%s) is not null", [f'"{schema}"."{name}"'])
                if cursor.fetchone()[0]:
                    cursor.execute(f'select count(*) from "{schema}"."{name}"')
                    counts[(schema, name)] = int(cursor.fetchone()[0])
        return counts


class ServerContractResource(ContractResource):
    """The Great Expectations contract, run inside PostgreSQL (the same suites)."""

    def validate(  # type: ignore[override]
        self, db_path: Path, settings: PipelineVars, rows_from: date | None = None
    ) -> Any:
        from redcat.contract_checks import run_contract_on_server

        gx_root = contract_gx_root(settings, db_path, Path(self.gx_root) if self.gx_root else None)
        try:
            return run_contract_on_server(
                build_data_docs=self.build_data_docs,
                sample_size=self.sample_size,
                gx_root=gx_root,
                rebuilt_from=rows_from,
            )
        finally:
            gc.collect()


class SparkWarehouseResource(WarehouseResource):
    """The Spark warehouse folder (`REDCAT_SPARK_DIR`): row counts through a Spark session
    started after dbt has ended its own (the metastore admits one JVM at a time)."""

    spark_dir: str

    def row_counts(self, relations: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        from redcat.spark import spark_session

        wanted = list(dict.fromkeys(relations))
        counts: dict[tuple[str, str], int] = {}
        if not wanted:
            return counts
        with spark_session(Path(self.spark_dir)) as session:
            for schema, name in wanted:
                if session.catalog.tableExists(f"{schema}.{name}"):
                    counts[(schema, name)] = session.table(f"{schema}.{name}").count()
        return counts


class SparkContractResource(ContractResource):
    """On Spark the contract's rules run as the project's dbt tests (blocking asset
    checks of the join models); the Great Expectations suites do not run there."""

    def validate(  # type: ignore[override]
        self, db_path: Path, settings: PipelineVars, rows_from: date | None = None
    ) -> Any:
        raise dg.Failure(
            "the Great Expectations contract does not run on Spark (docs/engines.md); "
            "its rules run as dbt tests in the Spark build"
        )


def postgres_resources(project: DbtProject) -> dict[str, Any]:
    """The server warehouse: dbt on PostgreSQL, the contract run inside it."""
    return {
        "dbt": DbtCliResource(project_dir=project, dbt_executable=dbt_executable()),
        "warehouse": ServerWarehouseResource(db_path=str(warehouse_path(project.project_dir))),
        "contract": ServerContractResource(),
        "publish_gates": PublishGatesResource(),
        "observer": PipelineObserver(),
    }


def spark_resources(project: DbtProject) -> dict[str, Any]:
    """Spark through dbt-spark's session method, on the folder `REDCAT_SPARK_DIR`."""
    from redcat.spark import spark_dir

    return {
        "dbt": DbtCliResource(project_dir=project, dbt_executable=dbt_executable()),
        "warehouse": SparkWarehouseResource(
            db_path=str(warehouse_path(project.project_dir)),
            spark_dir=str(spark_dir(project.project_dir)),
        ),
        "contract": SparkContractResource(),
        "publish_gates": PublishGatesResource(),
        "observer": PipelineObserver(),
    }


ResourceFactory = Callable[[DbtProject], dict[str, Any]]

# dbt target -> the resources a run on that target uses
RESOURCES_BY_TARGET: Mapping[str, ResourceFactory] = {
    "duckdb": duckdb_resources,
    "postgres": postgres_resources,
    "spark": spark_resources,
}


def build_resources(project: DbtProject) -> dict[str, Any]:
    """The resources for the dbt target the environment names (`DBT_TARGET`)."""
    target = project.target or DEFAULT_TARGET
    try:
        factory = RESOURCES_BY_TARGET[target]
    except KeyError:
        known = ", ".join(sorted(RESOURCES_BY_TARGET))
        raise dg.DagsterInvalidDefinitionError(
            f"no Dagster resources for dbt target {target!r} ({DBT_TARGET_ENV}); known: {known}"
        ) from None
    return factory(project)
