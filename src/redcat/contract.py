"""The raw source contract (docs/sources.md) as data, read from its one home.

The contract is declared once, in the dbt var `raw_contract` of
dbt_project.yml: which tables a raw directory holds, each table's columns in
delivery order with the type a typed file stores them as, and the values each
enumeration allows. dbt generates the staging models from it; this module
reads the same declaration for the generator, the loader and the seed
exporter, so there is nothing to keep in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from redcat.warehouse import project_root

# Logical types, as docs/sources.md names them, and the DuckDB type a value of that
# kind is stored as in a typed file (Parquet) or a dbt seed.
DUCKDB_TYPES: dict[str, str] = {
    "text": "varchar",
    "bigint": "bigint",
    "integer": "integer",
    "boolean": "boolean",
    "double": "double",
    "date": "date",
    "decimal": "decimal(18,2)",
}

RAW_SCHEMA = "raw"
SAMPLE_SCHEMA = "raw_sample"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a key of DUCKDB_TYPES
    nullable: bool = False

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class RawTable:
    source: str  # xhs, tb, jd, shared
    name: str  # table name inside the source folder
    columns: tuple[Column, ...]
    usual_format: str  # "csv" or "parquet": what the generator writes

    @property
    def relation(self) -> str:
        """Relation name in the warehouse (schema `raw`, and `raw_sample` for seeds)."""
        return f"{self.source}__{self.name}"

    @property
    def key(self) -> str:
        """`source/name`, the table's path inside a raw directory without extension."""
        return f"{self.source}/{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def path(self, raw_dir: Path) -> Path:
        return raw_dir / self.source / f"{self.name}.{self.usual_format}"


def _declaration(project: Path | None = None) -> dict[str, Any]:
    """The `raw_contract` var of dbt_project.yml (in `project`, default the project folder)."""
    dbt_project = (project or project_root()) / "dbt_project.yml"
    project_vars: dict[str, Any] = yaml.safe_load(dbt_project.read_text(encoding="utf-8"))["vars"]
    declared: dict[str, Any] = project_vars["raw_contract"]
    return declared


def raw_tables(declaration: dict[str, Any]) -> tuple[RawTable, ...]:
    """The raw tables of a `raw_contract` declaration, in contract order."""
    tables = []
    for relation, table in declaration["tables"].items():
        source, name = relation.split("__", 1)
        columns = tuple(
            Column(column["name"], column.get("type", "text"), bool(column.get("nullable", False)))
            for column in table["columns"]
        )
        tables.append(RawTable(source, name, columns, table["usual_format"]))
    return tuple(tables)


DECLARATION = _declaration()
RAW_TABLES: tuple[RawTable, ...] = raw_tables(DECLARATION)

TABLES_BY_KEY: dict[str, RawTable] = {t.key: t for t in RAW_TABLES}

# Enumerations the contract fixes (the staging layer quarantines anything else).
ENUMERATIONS: dict[str, tuple[str, ...]] = {
    name: tuple(values) for name, values in DECLARATION["enumerations"].items()
}
INDUSTRIES = ENUMERATIONS["industries"]
ACCOUNT_TYPES = ENUMERATIONS["account_types"]
NOTE_KINDS = ENUMERATIONS["note_kinds"]
LINK_PLATFORMS = ENUMERATIONS["link_platforms"]
EVENT_TYPES = ENUMERATIONS["event_types"]
BOOST_TYPES = ENUMERATIONS["boost_types"]
TB_CHANNELS = ENUMERATIONS["tb_channels"]
TB_ORDER_STATUSES = ENUMERATIONS["tb_order_statuses"]
# JD's orderState: code n is the n-th value
JD_ORDER_STATES = dict(enumerate(ENUMERATIONS["jd_order_states"], start=1))
MATCH_PLATFORMS = ENUMERATIONS["match_platforms"]
MATCH_METHODS = ENUMERATIONS["match_methods"]
