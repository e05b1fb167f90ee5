"""The data contract step: the Great Expectations project that matches the run's vars.

The versioned suites under `gx/` hold the contract's thresholds
(`contract_min_match_rate`, `match_min_confidence`) as written in
`dbt_project.yml`. A run whose vars change them (`redcat run --vars
'{contract_min_match_rate: 0.5}'`) validates against a project generated for
those values, beside the warehouse (`<warehouse dir>/gx/vars-<digest>/`, Data
Docs included), so the floor the contract applies is the one the models were
built with; the committed `gx/` is left alone.
"""

from __future__ import annotations

from pathlib import Path

from redcat.pipeline.catalog import PipelineVars
from redcat.pipeline.project import vars_digest


def contract_gx_root(settings: PipelineVars, db_path: Path, gx_root: Path | None) -> Path | None:
    """The GX project to validate with: `gx_root` (None: `gx/`) unless the vars differ."""
    from redcat.contract_checks import contract_expectations, load_contract_vars, write_gx_project
    from redcat.contract_checks.rules import ContractVars

    wanted = ContractVars(
        min_match_rate=settings.contract_min_match_rate,
        match_min_confidence=settings.match_min_confidence,
    )
    if wanted == load_contract_vars():
        return gx_root
    digest = vars_digest(
        {
            "min_match_rate": wanted.min_match_rate,
            "match_min_confidence": wanted.match_min_confidence,
        }
    )
    target = Path(db_path).resolve().parent / "gx" / f"vars-{digest}"
    write_gx_project(target, contract_expectations(wanted))
    return target
