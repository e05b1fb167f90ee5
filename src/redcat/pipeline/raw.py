"""Step 1 of the pipeline: the raw data the staging layer reads.

Three sources:

- `sample`: the committed dbt seeds (schema `raw_sample`); loaded raw
  relations are dropped so the seeds apply;
- `load`: a raw directory laid out per the raw contract, loaded by
  `redcat load` (every relation of schema `raw` replaced in one transaction);
- `generate`: synthetic data for a scale and seed, written to
  `data/generated/sf<SF>_seed<N>/` (or a given folder; reused when its
  `_truth/manifest.json` says it holds that generation), then loaded.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from redcat.load import (
    DEFAULT_ENCODING,
    LoadReport,
    clear_loaded_raw,
    load_raw_dir,
    loaded_relations,
)

DEFAULT_SEED = 42
GENERATED_DIR = Path("data") / "generated"
GENERATION_MANIFEST = Path("_truth") / "manifest.json"

Printer = Callable[[str], None]
RawSourceKind = Literal["sample", "load", "generate"]


@dataclass(frozen=True)
class RawRequest:
    """Which raw data a run builds from."""

    source: RawSourceKind = "sample"
    raw_dir: Path | None = None  # load: required; generate: where to write (optional)
    scale: float = 0.01  # generate only
    seed: int = DEFAULT_SEED  # generate only
    encoding: str = DEFAULT_ENCODING  # load only: the encoding of the CSV files


@dataclass(frozen=True)
class RawData:
    """What step 1 did."""

    source: RawSourceKind
    description: str  # "seeds", or the raw directory that was loaded
    load: LoadReport | None = None
    generation: Any | None = None  # redcat.generate.GenerationReport when generated now
    reused_generation: bool = False
    dropped: tuple[str, ...] = ()  # loaded relations dropped so the seeds apply


def scale_label(scale: float) -> str:
    """`0.01` -> `0.01`, `1.0` -> `1`: the scale as it appears in folder names."""
    return f"{scale:g}"


def generated_dir(root: Path, scale: float, seed: int) -> Path:
    return root / GENERATED_DIR / f"sf{scale_label(scale)}_seed{seed}"


def manifest_matches(out: Path, scale: float, seed: int) -> bool:
    """True when `out` holds a finished generation for this scale and seed."""
    try:
        manifest = json.loads((out / GENERATION_MANIFEST).read_text(encoding="utf-8"))
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
    root: Path,
    scale: float,
    seed: int,
    *,
    out: Path | None = None,
    echo: Printer = print,
    progress: bool = True,
) -> tuple[Path, Any | None]:
    """The generated raw directory for `scale` and `seed`, generating it if needed.

    Returns the directory and the generation report (None when reused).
    """
    out = out or generated_dir(root, scale, seed)
    if manifest_matches(out, scale, seed):
        echo(f"Reusing generated data in {out}")
        return out, None
    if out.exists():
        shutil.rmtree(out)  # an unfinished or different generation
    echo(f"Generating scale {scale_label(scale)}, seed {seed} into {out}")
    return out, generate(out, scale, seed, progress=progress)


def prepare_raw(
    request: RawRequest,
    db_path: Path,
    root: Path,
    *,
    echo: Printer = print,
    progress: bool = False,
) -> RawData:
    """Make the warehouse's raw relations what `request` asks for."""
    if request.source == "sample":
        dropped = tuple(clear_loaded_raw(db_path))
        return RawData("sample", "seeds", dropped=dropped)
    if request.source == "load":
        if request.raw_dir is None:
            raise ValueError("source `load` needs `raw_dir`: the raw directory to load")
        load = load_raw_dir(Path(request.raw_dir).expanduser(), db_path, encoding=request.encoding)
        return RawData("load", str(load.raw_dir), load=load)
    raw_dir, generation = ensure_generated(
        root,
        request.scale,
        request.seed,
        out=Path(request.raw_dir).expanduser() if request.raw_dir else None,
        echo=echo,
        progress=progress,
    )
    load = load_raw_dir(raw_dir, db_path)
    return RawData(
        "generate",
        str(load.raw_dir),
        load=load,
        generation=generation,
        reused_generation=generation is None,
    )


def raw_is_loaded(db_path: Path) -> bool:
    """True when the warehouse reads loaded raw relations (schema `raw`), not the seeds."""
    return bool(loaded_relations(db_path))
