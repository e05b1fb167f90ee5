"""The committed synthetic sample: dbt seeds produced by the generator.

`seeds/<source>/<source>__<table>.csv` holds every raw table of the contract
(generated at SAMPLE_SCALE with SAMPLE_SEED) as CSV: header row, RFC 4180
quoting, empty field = NULL, booleans `true`/`false`. dbt loads them into
schema `raw_sample`; `seeds/_raw_sample__seeds.yml` declares every column's
type from `redcat.contract`, so types never drift with inference.

`export_seed_sample` rewrites the sample; `seed_sample_differences` lists
what differs between the committed files and what the generator produces now
(empty when they agree).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from redcat.contract import RAW_TABLES, SAMPLE_SCHEMA, Column, RawTable
from redcat.generate import write_raw_dir

SAMPLE_SCALE = 0.0025
SAMPLE_SEED = 20250507
SEEDS_YAML = "_raw_sample__seeds.yml"
# DuckDB type names spelled the SQL-standard way in the seed YAML, so that every
# dbt target reads them (PostgreSQL has no type `double`; DuckDB reads both).
SEED_TYPE_SPELLINGS: dict[str, str] = {"double": "double precision"}

DESCRIPTIONS: dict[str, str] = {
    "xhs/accounts": "xhs accounts that publish notes: brands, creators and buyers "
    "(creators selling in xhs's own shop).",
    "xhs/notes": "xhs notes, organic or ad; ad notes of pilot brands carry a taobao/jd link "
    "from the 2025-05-07 launch on.",
    "xhs/note_events": "Behaviour on xhs notes (impression, read, like, save, comment, share, "
    "follow, link_click) in UTC epoch ms, re-sent duplicates included.",
    "xhs/ad_spend_daily": "Daily spend boosting ad notes per campaign; is_joint marks joint "
    "campaigns co-funded with tb/jd.",
    "xhs/shop_orders": "Orders in xhs's own closed-loop shop, with the note they came from "
    "when known.",
    "tb/shops": "Taobao/Tmall shops and the brand each belongs to.",
    "tb/items": "Taobao items per shop, with the platform-neutral spu_id and the price in fen.",
    "tb/visits": "Store entries on Taobao with their channel; xhs_ad_link visits name the ad note.",
    "tb/searches": "Taobao searches; some name a brand (the screenshot-then-search path).",
    "tb/orders": "Taobao order lines: amounts in fen, official festival discounts, pre-sale "
    "flag and status.",
    "jd/shops": "JD shops (venderId) and their brands, in JD's camelCase names.",
    "jd/orders": "JD order lines: epoch-second times, amount as decimal text, orderState 1-5, "
    "sourceNoteId from note links.",
    "shared/tri_party_accounts": "Tri-party accounts tying a brand's xhs account to its tb "
    "and jd shops, one row per validity period.",
    "shared/user_matches": "Clean-room identity bridge: candidate matches of hashed xhs users "
    "to tb/jd buyers, with confidence.",
}


def seed_column_type(column: Column) -> str:
    """The type the seed YAML declares for a contract column: its DuckDB type, in the
    spelling PostgreSQL reads too."""
    return SEED_TYPE_SPELLINGS.get(column.duckdb_type, column.duckdb_type)


def seed_path(seeds_dir: Path, table: RawTable) -> Path:
    return Path(seeds_dir) / table.source / f"{table.relation}.csv"


def seeds_yaml() -> str:
    """The dbt properties file of the sample seeds (column types from the contract)."""
    lines = [
        f"# The committed synthetic sample (scale {SAMPLE_SCALE:g}, seed {SAMPLE_SEED}),",
        f"# loaded into schema `{SAMPLE_SCHEMA}`. Written by `redcat.seeds.export_seed_sample`;",
        "# column types come from `redcat.contract`.",
        "version: 2",
        "",
        "seeds:",
    ]
    for table in RAW_TABLES:
        lines += [
            f"  - name: {table.relation}",
            f'    description: "{DESCRIPTIONS[table.key]}"',
            "    config:",
            "      column_types:",
            *(f"        {c.name}: {seed_column_type(c)}" for c in table.columns),
        ]
    return "\n".join(lines) + "\n"


def _render(work: Path) -> dict[str, bytes]:
    """Generate the sample under `work`; map each seed's relative path to its bytes."""
    raw = work / "raw"
    write_raw_dir(raw, SAMPLE_SCALE, SAMPLE_SEED, progress=False)
    out = work / "seeds"
    files: dict[str, bytes] = {}
    con = duckdb.connect()
    try:
        for table in RAW_TABLES:
            target = seed_path(out, table)
            target.parent.mkdir(parents=True, exist_ok=True)
            source = table.path(raw)
            if table.usual_format == "csv":
                target.write_bytes(source.read_bytes())
            else:
                columns = ", ".join(f'"{c}"' for c in table.column_names)
                con.execute(
                    f"copy (select {columns} from read_parquet('{source}')) "
                    f"to '{target}' (format csv, header true, delimiter ',')"
                )
            files[str(target.relative_to(out))] = target.read_bytes()
    finally:
        con.close()
    files[SEEDS_YAML] = seeds_yaml().encode()
    return files


def export_seed_sample(seeds_dir: Path) -> None:
    """(Re)write the sample seeds and their YAML under `seeds_dir`."""
    seeds_dir = Path(seeds_dir)
    with tempfile.TemporaryDirectory(prefix="redcat-seeds-") as tmp:
        for name, content in _render(Path(tmp)).items():
            target = seeds_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)


def seed_sample_differences(seeds_dir: Path) -> list[str]:
    """What differs between the committed sample and the generator's output now."""
    seeds_dir = Path(seeds_dir)
    with tempfile.TemporaryDirectory(prefix="redcat-seeds-") as tmp:
        expected = _render(Path(tmp))
    problems: list[str] = []
    for name, content in expected.items():
        path = seeds_dir / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif path.read_bytes() != content:
            problems.append(f"{name}: differs from the generator's output")
    sources = {t.source for t in RAW_TABLES}
    for folder in sorted(sources):
        for path in sorted((seeds_dir / folder).glob("*.csv")):
            name = str(path.relative_to(seeds_dir))
            if name not in expected:
                problems.append(f"{name}: not produced by the generator")
    return problems
