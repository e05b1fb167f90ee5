"""`redcat run`: the main job, raw data -> `dbt build`.

Three sources of raw data:

- default: the committed dbt seeds (any loaded raw relations are dropped, so
  the seeds apply);
- `--raw-dir DIR`: a directory laid out per SOURCES.md, loaded by `redcat load`;
- `--scale SF`: synthetic data generated into `data/generated/sf<SF>_seed<N>/`
  (reused when its `_truth/manifest.json` says it was generated for the same
  scale and seed), then loaded.

The build runs in three steps so that bad data never reaches BI:

1. `dbt build` of everything but the marts (seeds, staging, intermediate,
   their unit and data tests);
2. the data contract on the shared-account join (Great Expectations, inside
   DuckDB); a failure prints which expectation failed, on which relation, how
   many rows and a sample, and stops here with `ContractViolation`;
3. `dbt build` of the marts and their tests, then the marts are published for
   BI (`warehouse/published/`, see `redcat.publish`).

At the end it says where the warehouse is and how to query it.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redcat.load import DEFAULT_ENCODING, LoadReport, clear_loaded_raw, load_raw_dir
from redcat.publish import Publication, publish_marts
from redcat.warehouse import connect, project_root, run_dbt, warehouse_path

DEFAULT_SEED = 42
GENERATED_DIR = Path("data") / "generated"
MANIFEST = Path("_truth") / "manifest.json"

# Schemas listed at the end of a run, in the order a reader meets them.
SCHEMA_ORDER = ("marts", "intermediate", "staging", "raw", "raw_sample")
# Schemas whose relation names are printed (the others are counted), and the
# helper relations left out of those lists.
LISTED_SCHEMAS = ("marts", "staging")
HELPER_PREFIXES = ("base_",)
# Preferred relations for the query example, first match wins.
EXAMPLE_RELATIONS = (
    "marts.fct_note_daily",
    "marts.fct_conversions",
    "staging.stg_xhs__note_events",
    "staging.stg_tb__orders",
)

# The main job's two dbt steps, either side of the data contract. The main
# job builds from all the raw data, so the incremental models are rebuilt
# whole (daily partition runs are Dagster's: orchestration/partitions.py).
BUILD_BEFORE_CONTRACT = ("build", "--full-refresh", "--exclude", "path:models/marts")
BUILD_MARTS = ("build", "--full-refresh", "--select", "path:models/marts")

Printer = Callable[[str], None]


class ContractViolation(Exception):
    """The data contract failed: the marts were not built. Carries the report."""

    def __init__(self, report: Any) -> None:
        super().__init__(report.format())
        self.report = report


@dataclass(frozen=True)
class RunReport:
    db_path: Path
    raw_source: str  # "seeds", or the raw directory that was loaded
    load: LoadReport | None
    generation: Any | None  # redcat.generate.GenerationReport when data was generated
    dbt_seconds: float
    contract: Any | None = None  # redcat.contract_checks.ContractReport, for the full job
    publication: Publication | None = None


def scale_label(scale: float) -> str:
    """`0.01` -> `0.01`, `1.0` -> `1`: the scale as it appears in folder names."""
    return f"{scale:g}"


def generated_dir(root: Path, scale: float, seed: int) -> Path:
    return root / GENERATED_DIR / f"sf{scale_label(scale)}_seed{seed}"


def manifest_matches(out: Path, scale: float, seed: int) -> bool:
    """True when `out` holds a finished generation for this scale and seed."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict):
        return False
    try:
        return float(manifest["scale"]) == float(scale) and int(manifest["seed"]) == int(seed)
    except (KeyError, TypeError, ValueError):
        return False


def generate(out: Path, scale: float, seed: int, *, progress: bool = True) -> Any:
    """Call the generator (`redcat.generate.write_raw_dir`)."""
    from redcat.generate import write_raw_dir

    return write_raw_dir(out, scale, seed, progress=progress)


def ensure_generated(
    root: Path, scale: float, seed: int, *, echo: Printer = print
) -> tuple[Path, Any | None]:
    """The generated raw directory for `scale` and `seed`, generating it if needed.

    Returns the directory and the generation report (None when reused).
    """
    out = generated_dir(root, scale, seed)
    if manifest_matches(out, scale, seed):
        echo(f"Reusing generated data in {out}")
        return out, None
    if out.exists():
        shutil.rmtree(out)  # an unfinished or different generation
    echo(f"Generating scale {scale_label(scale)}, seed {seed} into {out}")
    return out, generate(out, scale, seed)


def print_load(report: LoadReport, echo: Printer = print) -> None:
    width = max(len(r) for r in report.rows_per_table)
    echo(f"Loaded {report.raw_dir} into {report.db_path} (schema raw):")
    for relation, rows in report.rows_per_table.items():
        echo(f"  raw.{relation:<{width}}  {rows:>12,} rows")
    rate = report.total_rows / report.seconds if report.seconds > 0 else 0.0
    echo(
        f"  {'total':<{width + 4}}  {report.total_rows:>12,} rows in {report.seconds:.1f} s "
        f"({rate:,.0f} rows/s)"
    )


def list_relations(db_path: Path) -> dict[str, list[str]]:
    """Relations in the warehouse by schema, from `information_schema.tables`."""
    with connect(db_path, read_only=True) as con:
        rows = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() order by table_schema, table_name"
        ).fetchall()
    found: dict[str, list[str]] = {}
    for schema, name in rows:
        found.setdefault(schema, []).append(name)
    ordered = {s: found.pop(s) for s in SCHEMA_ORDER if s in found}
    ordered.update(sorted(found.items()))
    return ordered


def _python_command() -> str:
    python = Path(sys.executable)
    try:
        return str(python.relative_to(Path.cwd()))
    except ValueError:
        return str(python)


def query_example(db_path: Path, relations: dict[str, list[str]]) -> str | None:
    """A shell one-liner that reads one existing mart (or staging) relation."""
    existing = {f"{schema}.{name}" for schema, names in relations.items() for name in names}
    candidates = [r for r in EXAMPLE_RELATIONS if r in existing]
    for schema in ("marts", "staging"):
        names = relations.get(schema, [])
        # modelled relations (fct_, mart_, dim_, stg_) before helpers such as base_ views
        names = sorted(names, key=lambda n: not n.startswith(("fct_", "mart_", "dim_", "stg_")))
        candidates += [f"{schema}.{name}" for name in names]
    if not candidates:
        return None
    sql = f"select * from {candidates[0]} limit 10"
    return (
        f'{_python_command()} -c "import duckdb; '
        f"con = duckdb.connect('{db_path}', read_only=True); "
        f"print(con.sql('{sql}'))\""
    )


def describe_warehouse(db_path: Path, echo: Printer = print) -> None:
    """Print where the warehouse is, what it holds and how to query it."""
    relations = list_relations(db_path)
    echo(f"Warehouse: {db_path}")
    for schema, names in relations.items():
        if schema in LISTED_SCHEMAS:
            shown = [n for n in names if not n.startswith(HELPER_PREFIXES)]
            helpers = len(names) - len(shown)
            more = f" (and {helpers} base_ views)" if helpers else ""
            echo(f"  {schema} ({len(names)}): {', '.join(shown)}{more}")
        else:
            echo(f"  {schema}: {len(names)} relations")
    example = query_example(db_path, relations)
    if example:
        echo("Query it (read-only, while no build is running):")
        echo(f"  {example}")


def build_with_contract(
    db_path: Path, root: Path, *, gx_root: Path | None = None, echo: Printer = print
) -> tuple[Any, Publication]:
    """dbt build up to the join models, the contract, then the marts and publication.

    `gx_root` is the Great Expectations project (default `<root>/gx`), whose
    `uncommitted/` folder receives the validation results and Data Docs.
    Raises `ContractViolation` (marts untouched) when the contract fails.
    """
    from redcat.contract_checks import run_contract

    run_dbt(list(BUILD_BEFORE_CONTRACT), db_path=db_path, root=root)
    contract = run_contract(db_path, gx_root=gx_root or root / "gx")
    echo(contract.format())
    if contract.data_docs_path is not None:
        echo(f"Data Docs: {contract.data_docs_path}")
    if not contract.success:
        raise ContractViolation(contract)
    run_dbt(list(BUILD_MARTS), db_path=db_path, root=root)
    publication = publish_marts(db_path)
    echo(
        f"Published {len(publication.rows_per_relation)} marts for BI in "
        f"{publication.seconds:.1f} s: {publication.database} and {publication.parquet_dir}/"
    )
    return contract, publication


def run(
    *,
    raw_dir: Path | None = None,
    scale: float | None = None,
    seed: int = DEFAULT_SEED,
    db_path: Path | None = None,
    root: Path | None = None,
    dbt_args: Sequence[str] | None = None,
    gx_root: Path | None = None,
    echo: Printer = print,
    encoding: str = DEFAULT_ENCODING,
) -> RunReport:
    """The main job: choose the raw data, then build with the contract and publish.

    `dbt_args` replaces the build with a single `dbt <dbt_args>` call (no
    contract step, no publication). `encoding` is that of `raw_dir`'s CSV files.
    """
    if raw_dir is not None and scale is not None:
        raise ValueError("give either raw_dir or scale, not both")
    root = root or project_root()
    db_path = db_path or warehouse_path(root)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    generation = None
    load = None
    if scale is not None:
        raw_dir, generation = ensure_generated(root, scale, seed, echo=echo)
    if raw_dir is not None:
        load = load_raw_dir(raw_dir, db_path, encoding=encoding)
        print_load(load, echo)
        raw_source = str(load.raw_dir)
    else:
        dropped = clear_loaded_raw(db_path)
        if dropped:
            echo(f"Dropped {len(dropped)} loaded raw relations; the committed seeds apply.")
        raw_source = "seeds"
        echo("Raw data: the committed seeds (seeds/)")
    started = time.perf_counter()
    contract = publication = None
    if dbt_args is None:
        contract, publication = build_with_contract(db_path, root, gx_root=gx_root, echo=echo)
        label = "build with the data contract"
    else:
        run_dbt(list(dbt_args), db_path=db_path, root=root)
        label = f"dbt {' '.join(dbt_args)}"
    dbt_seconds = time.perf_counter() - started
    echo(f"{label} finished in {dbt_seconds:.1f} s")
    describe_warehouse(db_path, echo)
    if publication is not None:
        echo(f"BI reads the published copy: {publication.database} (duckdb >= 1.0) or Parquet")
    return RunReport(db_path, raw_source, load, generation, dbt_seconds, contract, publication)
