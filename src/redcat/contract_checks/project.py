"""The Great Expectations project under `gx/`, generated from `rules.py`.

`write_gx_project()` builds the whole file data context through GX's own API
in a scratch folder, gives every object a stable id (derived from its name, so
regenerating changes nothing unless a definition changed) and copies the
versioned files into the GX root:

```
gx/great_expectations.yml           datasource `warehouse` (DuckDB, read-only), one table
                                    asset per checked relation, stores, Data Docs site
gx/expectations/<model>.json        one suite per checked relation
gx/validation_definitions/<model>.json
gx/checkpoints/shared_account_join_contract.json   runs every validation definition
gx/uncommitted/                     validation results, Data Docs (git-ignored; a run may
                                    write them elsewhere: `uncommitted_dir`)
```

The datasource's connection string is `duckdb:///${redcat_contract_warehouse}`:
the warehouse file is given per run (`runtime_environment`), never stored.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
from great_expectations.data_context.types.base import ProgressBarsConfig

from redcat.contract_checks._gx import gx, schema_assets_allowed
from redcat.contract_checks.rules import ContractExpectation, contract_expectations
from redcat.warehouse import UNCOMMITTED_DIR_ENV, project_root

DATASOURCE = "warehouse"
BATCH_DEFINITION = "whole_table"
CHECKPOINT = "shared_account_join_contract"
DATA_DOCS_SITE = "local_site"
WAREHOUSE_VARIABLE = "redcat_contract_warehouse"
CONNECTION_STRING = "duckdb:///${" + WAREHOUSE_VARIABLE + "}"
# COMPLETE: the offending rows come back (as many as the sample size allows);
# every expectation is custom SQL, so nothing else is fetched for it.
RESULT_FORMAT = {"result_format": "COMPLETE"}

# What write_gx_project owns inside the GX root; everything else (uncommitted/) is left alone.
VERSIONED_PATHS = (
    ".gitignore",
    "great_expectations.yml",
    "expectations",
    "validation_definitions",
    "checkpoints",
    "plugins",
)

_ID_NAMESPACE = uuid.UUID("5b0e3a52-7d4f-4c1e-9a40-2f6f1c1e0d17")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def default_gx_root() -> Path:
    """`<project>/gx`."""
    return project_root() / "gx"


def uncommitted_dir(gx_root: Path, override: Path | None = None) -> Path:
    """Where a run writes its validation results and Data Docs.

    `override`, else `REDCAT_GX_UNCOMMITTED_DIR`, else `<gx_root>/uncommitted`
    (git-ignored). Tests point it at a temporary folder, so no test run
    overwrites the user's Data Docs.
    """
    if override is not None:
        return Path(override).resolve()
    configured = os.environ.get(UNCOMMITTED_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    return gx_root / "uncommitted"


def data_docs_index(gx_root: Path, uncommitted: Path | None = None) -> Path:
    """The Data Docs' index page for the GX project at `gx_root` (see `uncommitted_dir`)."""
    return uncommitted_dir(gx_root, uncommitted) / "data_docs" / DATA_DOCS_SITE / "index.html"


def _stable_id(*parts: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, ":".join(parts)))


def _suites(expectations: Sequence[ContractExpectation]) -> dict[str, list[ContractExpectation]]:
    """relation -> its expectations, in definition order."""
    by_relation: dict[str, list[ContractExpectation]] = {}
    for expectation in expectations:
        by_relation.setdefault(expectation.relation, []).append(expectation)
    return by_relation


def dispose_engines(context: Any) -> None:
    """Close the pooled warehouse connections of every datasource in `context`.

    DuckDB lets one process hold a file either read-only or read-write: until
    the pool is closed, nothing else in the process can write to the warehouse.
    """
    for datasource in context.data_sources.all().values():
        if hasattr(datasource, "get_engine"):
            datasource.get_engine().dispose()
        datasource.get_execution_engine().engine.dispose()


def _stub_warehouse(path: Path, relations: Sequence[str]) -> None:
    """An empty warehouse holding the checked relations, so GX can check its assets exist."""
    with duckdb.connect(str(path)) as con:
        for relation in relations:
            schema = relation.split(".", 1)[0]
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table if not exists {relation} (stub integer)")


def _build(gx_root: Path, expectations: Sequence[ContractExpectation]) -> dict[str, str]:
    """A fresh file context at `gx_root` holding the contract; returns {generated id: stable id}."""
    stub = gx_root.parent / "stub.duckdb"
    _stub_warehouse(stub, list(_suites(expectations)))
    context = gx.get_context(
        mode="file",
        project_root_dir=gx_root.parent,
        runtime_environment={WAREHOUSE_VARIABLE: str(stub)},
    )
    try:
        with schema_assets_allowed():
            return _add_contract(context, gx_root, expectations)
    finally:
        dispose_engines(context)


def _add_contract(
    context: Any, gx_root: Path, expectations: Sequence[ContractExpectation]
) -> dict[str, str]:
    ids: dict[str, str] = {str(context.data_context_id): _stable_id("data_context")}
    # the contract runs inside `redcat run` and Dagster: no progress bars in their logs
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.variables.save()

    datasource = context.data_sources.add_sql(
        name=DATASOURCE,
        connection_string=CONNECTION_STRING,
        create_temp_table=False,
        kwargs={"connect_args": {"read_only": True}},
    )
    ids[str(datasource.id)] = _stable_id("datasource", DATASOURCE)

    validation_definitions = []
    for relation, suite_expectations in _suites(expectations).items():
        schema, model = relation.split(".", 1)
        asset = datasource.add_table_asset(name=model, table_name=model, schema_name=schema)
        batch_definition = asset.add_batch_definition_whole_table(BATCH_DEFINITION)
        ids[str(asset.id)] = _stable_id("asset", model)
        ids[str(batch_definition.id)] = _stable_id("batch_definition", model, BATCH_DEFINITION)

        suite = context.suites.add(
            gx.ExpectationSuite(
                name=model,
                expectations=[
                    # public in GX's docs, missing from its `__all__`
                    gx.expectations.UnexpectedRowsExpectation(  # type: ignore[attr-defined]
                        unexpected_rows_query=expectation.query,
                        description=expectation.description,
                        meta=expectation.meta,
                    )
                    for expectation in suite_expectations
                ],
                meta={"relation": relation},
            )
        )
        ids[str(suite.id)] = _stable_id("suite", model)
        for gx_expectation in suite.expectations:
            name = gx_expectation.meta["expectation"]
            ids[str(gx_expectation.id)] = _stable_id("expectation", model, name)

        validation_definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=model, data=batch_definition, suite=suite)
        )
        ids[str(validation_definition.id)] = _stable_id("validation_definition", model)
        validation_definitions.append(validation_definition)

    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=CHECKPOINT,
            validation_definitions=validation_definitions,
            # no actions: the runner builds the Data Docs once per run (GX's
            # UpdateDataDocsAction rebuilds the site once per validation definition)
            actions=[],
            result_format=RESULT_FORMAT,
        )
    )
    ids[str(checkpoint.id)] = _stable_id("checkpoint", CHECKPOINT)

    for store in ("expectations", "validation_definitions"):
        id_file = gx_root / store / ".ge_store_backend_id"
        if id_file.exists():
            for found in _UUID.findall(id_file.read_text(encoding="utf-8")):
                ids[found] = _stable_id("store_backend", store)
    return ids


def _versioned_files(gx_root: Path) -> list[Path]:
    """Versioned files under `gx_root`, relative to it, sorted."""
    found: list[Path] = []
    for name in VERSIONED_PATHS:
        path = gx_root / name
        if path.is_file():
            found.append(path.relative_to(gx_root))
        elif path.is_dir():
            found.extend(p.relative_to(gx_root) for p in path.rglob("*") if p.is_file())
    return sorted(found)


def _generate(scratch: Path, expectations: Sequence[ContractExpectation]) -> Path:
    """Generate the project into `scratch/gx` with stable ids; returns that GX root."""
    gx_root = scratch / "gx"
    ids = _build(gx_root, expectations)
    for relative in _versioned_files(gx_root):
        path = gx_root / relative
        text = path.read_text(encoding="utf-8")
        text = _UUID.sub(lambda match: ids.get(match.group(0), match.group(0)), text)
        leftover = [found for found in _UUID.findall(text) if found not in ids.values()]
        if leftover:
            raise RuntimeError(f"{relative}: ids with no stable replacement: {leftover}")
        path.write_text(text, encoding="utf-8")
    return gx_root


def write_gx_project(
    gx_root: Path | None = None, expectations: Sequence[ContractExpectation] | None = None
) -> list[Path]:
    """(Re)write the versioned GX project at `gx_root` (default `<project>/gx`).

    Replaces the files listed in VERSIONED_PATHS; `uncommitted/` is kept.
    Returns the files written, relative to `gx_root`.
    """
    target = gx_root or default_gx_root()
    defined = list(expectations) if expectations is not None else contract_expectations()
    with tempfile.TemporaryDirectory(prefix="redcat-gx-") as scratch:
        generated = _generate(Path(scratch), defined)
        target.mkdir(parents=True, exist_ok=True)
        for name in VERSIONED_PATHS:
            existing = target / name
            if existing.is_dir():
                shutil.rmtree(existing)
            elif existing.exists():
                existing.unlink()
        written = _versioned_files(generated)
        for relative in written:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(generated / relative, target / relative)
    return written


def gx_project_drift(
    gx_root: Path | None = None, expectations: Sequence[ContractExpectation] | None = None
) -> list[str]:
    """Versioned files at `gx_root` that differ from what the definitions generate.

    Empty when the committed project is up to date; otherwise one line per
    missing, extra or changed file.
    """
    target = gx_root or default_gx_root()
    defined = list(expectations) if expectations is not None else contract_expectations()
    with tempfile.TemporaryDirectory(prefix="redcat-gx-") as scratch:
        generated = _generate(Path(scratch), defined)
        wanted = set(_versioned_files(generated))
        present = set(_versioned_files(target)) if target.is_dir() else set()
        drift = [f"missing: {path}" for path in sorted(wanted - present)]
        drift += [f"not generated: {path}" for path in sorted(present - wanted)]
        drift += [
            f"differs: {path}"
            for path in sorted(wanted & present)
            if not filecmp.cmp(generated / path, target / path, shallow=False)
        ]
    return drift
