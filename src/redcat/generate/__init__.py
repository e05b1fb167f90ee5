"""The synthetic platforms generator (`redcat generate`).

`write_raw_dir(out, scale, seed)` writes a raw directory laid out per
docs/sources.md (every table of `redcat.contract.RAW_TABLES`, in its usual format)
plus the ground truth in `<out>/_truth/`:

- `seeded_orders.parquet`: every tb/jd order line caused by a note (platform,
  order_id, note_id, xhs_user_key, path `link`/`search`/`direct`);
- `manifest.json`: scale, seed, volumes, row counts and the planted targets
  (year-on-year effects and their exact definitions, see `story.py`).

The output depends only on (scale, seed): the same pair gives byte-identical
files. Scale 1 is about 10 M xhs events, 1 M tb and 300 k jd order lines,
200 brands and 2 M xhs users; brands have a floor of 24 (four per industry)
and notes a floor of 12 per brand, so tiny scales still tell the whole story.
Work is chunked by groups of brands (about a million impressions each), so
memory stays bounded whatever the scale.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from tqdm import tqdm

from redcat.contract import RAW_TABLES
from redcat.generate import campaigns, commerce, engagement, output
from redcat.generate.story import (
    FIRST_DAY,
    LAST_DAY,
    LAUNCH_DATE,
    N_DAYS,
    PILOT_INDUSTRIES,
    PRESALE_618_2025_MS,
    Volumes,
    planted_targets,
)
from redcat.generate.world import World, build_world

__all__ = ["GenerationReport", "write_raw_dir"]

TRUTH_DIR = "_truth"
CHUNK_IMPRESSIONS = 1_000_000
MATCH_ROWS_PER_PART = 1_000_000
_LAYOUT_DIRS = tuple(sorted({t.source for t in RAW_TABLES}))


@dataclass
class GenerationReport:
    out: Path
    scale: float
    seed: int
    rows_per_table: dict[str, int]  # keys like "xhs/note_events"
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows_per_table.values())


def plan_chunks(w: World, target: int = CHUNK_IMPRESSIONS) -> list[np.ndarray]:
    """Groups of notes: all notes of consecutive brands, then lifestyle notes,
    about `target` expected impressions per group."""
    chunks: list[np.ndarray] = []
    seeding = np.flatnonzero(w.note_brand >= 0)
    seeding = seeding[np.argsort(w.note_brand[seeding], kind="stable")]
    per_brand = np.bincount(
        w.note_brand[seeding], weights=w.note_expected_impressions[seeding], minlength=w.n_brands
    )
    group_of_brand = (np.cumsum(per_brand) - per_brand) // target
    group = group_of_brand[w.note_brand[seeding]]
    for g in np.unique(group):
        chunks.append(seeding[group == g])
    lifestyle = np.flatnonzero(w.note_brand < 0)
    if len(lifestyle):
        expected = w.note_expected_impressions[lifestyle]
        group = (np.cumsum(expected) - expected) // target
        for g in np.unique(group):
            chunks.append(lifestyle[group == g])
    return chunks


def _prepare_out(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise ValueError(f"{out} exists and is not a directory")
        entries = {p.name for p in out.iterdir()}
        generated = (out / TRUTH_DIR / "manifest.json").is_file()
        if entries and not generated:
            raise ValueError(
                f"{out} is not empty and is not a generated raw directory; choose another --out"
            )
        unexpected = entries - {*_LAYOUT_DIRS, TRUTH_DIR}
        if unexpected:
            raise ValueError(f"{out} holds files the generator did not write: {sorted(unexpected)}")
        for name in (*_LAYOUT_DIRS, TRUTH_DIR):
            if (out / name).exists():
                shutil.rmtree(out / name)
    out.mkdir(parents=True, exist_ok=True)


def write_raw_dir(out: Path, scale: float, seed: int, *, progress: bool = True) -> GenerationReport:
    """Generate a raw directory for (scale, seed) into `out` (created or replaced)."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    with _without_huge_pages():
        return _write_raw_dir(Path(out), scale, seed, progress=progress)


@contextlib.contextmanager
def _without_huge_pages() -> Iterator[None]:
    """NumPy asks the kernel for transparent huge pages for large arrays. The
    generator allocates and frees large temporary arrays all the time, and
    zeroing each fresh 2 MiB page took about a sixth of its CPU time (perf, at
    scale 1), so the hint is off while it runs (the output does not depend on it)."""
    multiarray = getattr(getattr(np, "_core", None), "multiarray", None)
    toggle = getattr(multiarray, "_set_madvise_hugepage", None)
    if toggle is None:
        yield
        return
    previous = toggle(False)
    try:
        yield
    finally:
        toggle(previous)


def _write_raw_dir(out: Path, scale: float, seed: int, *, progress: bool) -> GenerationReport:
    started = time.perf_counter()
    vol = Volumes.for_scale(scale)
    _prepare_out(out)
    world = build_world(seed, vol)
    chunks = plan_chunks(world)
    months = commerce.month_starts()
    con = duckdb.connect()
    render = output.Renderer(world, con)
    writer = output.RawWriter(out, con)
    bar = tqdm(
        total=len(chunks) + len(months) - 1 + 2,
        desc=f"redcat generate (scale {scale:g}, seed {seed})",
        unit="step",
        file=sys.stderr,
        disable=not progress,
    )
    try:
        truth_parts: list[dict[str, np.ndarray]] = []
        candidate_parts: list[dict[str, np.ndarray]] = []
        seeded_gmv = np.zeros(N_DAYS)
        seeded = {"tb_orders": 0, "jd_orders": 0, "tb_visits": 0, "tb_searches": 0}
        for chunk_no, notes in enumerate(chunks):
            res = engagement.simulate_chunk(world, notes, chunk_no)
            writer.defer(functools.partial(_append_chunk, writer, render, res))
            for name in seeded:
                seeded[name] += len(res[name]["id"])
            truth_parts.append(res["truth"])
            candidate_parts.append(res["shop_candidates"])
            seeded_gmv += res["seeded_gmv_by_day"]
            bar.update()

        weights = commerce.daily_weights()
        targets = {
            "tb_orders": max(0, vol.tb_orders - seeded["tb_orders"]),
            "jd_orders": max(0, vol.jd_orders - seeded["jd_orders"]),
            "tb_visits": vol.tb_visits,
            "tb_searches": vol.tb_searches,
        }
        for month, (lo, hi) in enumerate(itertools.pairwise(months)):
            bg = commerce.background_month(world, month, (lo, hi), targets, weights)
            writer.defer(functools.partial(_append_background, writer, render, bg))
            bar.update()
        writer.settle()  # the renderer and its connection are the main thread's again

        candidates = {
            k: np.concatenate([p[k] for p in candidate_parts]) for k in candidate_parts[0]
        }
        writer.write("xhs/accounts", render.accounts())
        writer.write("xhs/notes", render.notes())
        writer.write("xhs/ad_spend_daily", render.ad_spend(campaigns.ad_spend(world)))
        writer.write(
            "xhs/shop_orders",
            render.shop_orders(commerce.shop_orders(world, candidates, seeded_gmv)),
        )
        writer.write("tb/shops", render.tb_shops())
        writer.write("tb/items", render.tb_items())
        writer.write("jd/shops", render.jd_shops())
        writer.write("shared/tri_party_accounts", render.tri_party())
        n_matches = len(world.matches["user"])
        for lo in range(0, max(n_matches, 1), MATCH_ROWS_PER_PART):
            writer.append(
                "shared/user_matches", render.user_matches(slice(lo, lo + MATCH_ROWS_PER_PART))
            )
        bar.update()

        truth = {k: np.concatenate([p[k] for p in truth_parts]) for k in truth_parts[0]}
        truth_table = render.truth(truth)
        output.write_parquet(truth_table, out / TRUTH_DIR / "seeded_orders.parquet")
        rows = {t.key: writer.rows[t.key] for t in RAW_TABLES}
        _write_manifest(out, scale, seed, vol, rows, truth_table)
        bar.update()
    finally:
        writer.close()
        bar.close()
        con.close()
    return GenerationReport(
        out=out, scale=scale, seed=seed, rows_per_table=rows, seconds=time.perf_counter() - started
    )


def _append_chunk(
    writer: output.RawWriter, render: output.Renderer, res: engagement.ChunkResult
) -> None:
    writer.append("xhs/note_events", render.note_events(res["events"]))
    writer.append("tb/visits", render.tb_visits(res["tb_visits"]))
    writer.append("tb/searches", render.tb_searches(res["tb_searches"]))
    writer.append("tb/orders", render.tb_orders(res["tb_orders"]))
    writer.append("jd/orders", render.jd_orders(res["jd_orders"]))


def _append_background(
    writer: output.RawWriter, render: output.Renderer, bg: dict[str, output.Columns]
) -> None:
    writer.append("tb/orders", render.tb_orders(bg["tb_orders"]))
    writer.append("tb/visits", render.tb_visits(bg["tb_visits"]))
    writer.append("tb/searches", render.tb_searches(bg["tb_searches"]))
    writer.append("jd/orders", render.jd_orders(bg["jd_orders"]))


def _write_manifest(
    out: Path, scale: float, seed: int, vol: Volumes, rows: dict[str, int], truth: pa.Table
) -> None:
    by_path: dict[str, dict[str, int]] = {}
    platforms = truth.column("platform").to_numpy(zero_copy_only=False)
    paths = truth.column("path").to_numpy(zero_copy_only=False)
    for platform in ("taobao", "jd"):
        values, counts = np.unique(paths[platforms == platform], return_counts=True)
        by_path[platform] = {str(v): int(c) for v, c in zip(values, counts, strict=True)}
    manifest = {
        "generator": "redcat.generate",
        "scale": scale,
        "seed": seed,
        "period": [str(FIRST_DAY), str(LAST_DAY)],
        "ad_link_launch": {"date": str(LAUNCH_DATE), "pilot_industries": list(PILOT_INDUSTRIES)},
        "presale_618_2025_open": time.strftime(
            "%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(PRESALE_618_2025_MS / 1000 + 8 * 3600)
        ),
        "volumes": {k: v for k, v in asdict(vol).items() if k != "scale"},
        "rows": rows,
        "seeded_orders": {"rows": truth.num_rows, "by_platform_and_path": by_path},
        "targets": planted_targets(),
    }
    path = out / TRUTH_DIR / "manifest.json"
    path.write_text(
        json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
