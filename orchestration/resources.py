"""Resources, chosen by environment.

`DBT_TARGET` picks the dbt target (default: the profile's default, `duckdb`)
and with it the warehouse resources; `REDCAT_DUCKDB_PATH` picks the DuckDB
file (default `<root>/warehouse/redcat.duckdb`). Assets only call the
resources' methods, whatever the environment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from orchestration.project import DBT_TARGET_ENV, dbt_executable
from redcat.load import quote_ident
from redcat.warehouse import connect, warehouse_path

DEFAULT_TARGET = "duckdb"
# Every step that writes or reads the DuckDB file runs in this pool (limit 1).
WAREHOUSE_POOL = "redcat_warehouse"


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file: short-lived connections, one at a time."""

    db_path: str

    @property
    def path(self) -> Path:
        return Path(self.db_path)

    def row_counts(self, relations: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Rows in each existing `(schema, name)` relation, on one read-only connection."""
        wanted = list(dict.fromkeys(relations))
        if not wanted or not self.path.exists():
            return {}
        counts: dict[tuple[str, str], int] = {}
        with connect(self.path, read_only=True) as con:
            existing = {
                (schema, name)
                for schema, name in con.execute(
                    "select table_schema, table_name from information_schema.tables "
                    "where table_catalog = current_database()"
                ).fetchall()
            }
            for schema, name in wanted:
                if (schema, name) not in existing:
                    continue
                row = con.execute(
                    f"select count(*) from {quote_ident(schema)}.{quote_ident(name)}"
                ).fetchone()
                counts[(schema, name)] = int(row[0]) if row else 0
        return counts


class ContractResource(dg.ConfigurableResource):
    """The Great Expectations contract on the shared-account join (`redcat.contract_checks`)."""

    build_data_docs: bool = True
    sample_size: int = 5
    gx_root: str | None = None  # the GX project; default <root>/gx

    def validate(self, db_path: Path) -> Any:
        """Run the contract against the warehouse at `db_path`; returns its `ContractReport`."""
        from redcat.contract_checks import run_contract

        return run_contract(
            db_path,
            build_data_docs=self.build_data_docs,
            sample_size=self.sample_size,
            gx_root=Path(self.gx_root) if self.gx_root else None,
        )


def duckdb_resources(project: DbtProject) -> dict[str, Any]:
    """The embedded default: dbt on the DuckDB file, the contract run inside it."""
    return {
        "dbt": DbtCliResource(project_dir=project, dbt_executable=dbt_executable()),
        "warehouse": WarehouseResource(db_path=str(warehouse_path(project.project_dir))),
        "contract": ContractResource(),
    }


ResourceFactory = Callable[[DbtProject], dict[str, Any]]

# dbt target -> the resources a run on that target uses
RESOURCES_BY_TARGET: Mapping[str, ResourceFactory] = {
    "duckdb": duckdb_resources,
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
