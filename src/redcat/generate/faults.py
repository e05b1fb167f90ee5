"""Fault injection: realistic bad input in an otherwise good raw directory.

`apply_faults(raw_dir, kinds, seed)` damages a raw directory (typically one
just written by `write_raw_dir`) with the faults named in `kinds`, each on a
small, known number of rows (`ROWS_PER_FAULT`), deterministically for
`seed`. Only the files a fault touches are rewritten, each in its own format
(CSV stays CSV, Parquet stays Parquet); everything else is left byte for byte.
What was injected is written to `<raw_dir>/_truth/faults.json`: per fault its
kind, table, column, the keys of the rows it touched, how many rows, the files
it rewrote and the outcome the warehouse must give (docs/faults.md).

Kinds (`FAULT_KINDS`, kebab-case; snake_case is accepted too):

| kind | table | what |
|---|---|---|
| duplicate-order-ids | tb/orders | 3 order ids delivered again with another amount |
| null-keys | jd/orders | orderId null, orderId empty, pinHash in upper case |
| raw-id-in-hash | xhs/note_events | a phone number, an e-mail, a +86 phone as user_key |
| organic-note-shop-link | xhs/notes | 3 organic brand notes carry a taobao item link |
| overlapping-validity | shared/tri_party_accounts | a 2nd open period overlaps a brand's open one |
| shop-two-brands | shared/tri_party_accounts | brand B's account names brand A's tb shop |
| unowned-shop-order | tb/orders | 3 seeded orders moved to a shop no brand (nor tb/shops) knows |
| negative-money | xhs/ad_spend_daily | 3 spends with a minus sign |
| future-timestamp | tb/visits | 3 visits in the year 2096 |
| unparseable-timestamp | tb/searches | no offset, day/month/year, epoch seconds |
| money-wrong-unit | tb/orders | 3 pay_fen values in yuan text (`129.00`) |
| missing-column | tb/items | column price_fen removed from the file |
| extra-column | jd/shops | a column the contract does not know |

Faults are applied in the order of `FAULT_KINDS`, whatever the order asked
for, and never touch the same row twice, so any combination is deterministic
and every fault keeps its own exact outcome.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from redcat.contract import TABLES_BY_KEY, RawTable

__all__ = [
    "EXPECTED_OUTCOMES",
    "FAULTS_FILE",
    "FAULT_KINDS",
    "ROWS_PER_FAULT",
    "FaultManifest",
    "InjectedFault",
    "apply_faults",
    "normalise_kinds",
    "read_fault_manifest",
]

FAULT_KINDS: tuple[str, ...] = (
    "duplicate-order-ids",
    "null-keys",
    "raw-id-in-hash",
    "organic-note-shop-link",
    "overlapping-validity",
    "shop-two-brands",
    "unowned-shop-order",
    "negative-money",
    "future-timestamp",
    "unparseable-timestamp",
    "money-wrong-unit",
    "missing-column",
    "extra-column",
)
ROWS_PER_FAULT = 3
TRUTH_DIR = "_truth"
FAULTS_FILE = "faults.json"
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd"}

# What the warehouse does with each kind (docs/faults.md explains why):
# - staging: the rows are quarantined by staging, `rules` gives the rule and the
#   exact number of rows of `relation` it quarantines;
# - contract: the Great Expectations contract fails `expectation` on `relation`
#   with exactly `unexpected_count` offending rows, and the marts are not built;
# - load: `redcat load` rejects the directory, nothing is replaced;
# - load_warning: `redcat load` warns and drops the column, the build succeeds;
# - accepted: the rows are valid input, staged as they are (see `note`).
EXPECTED_OUTCOMES: Mapping[str, Mapping[str, Any]] = {
    "duplicate-order-ids": {
        "layer": "staging",
        "relation": "tb__orders",
        "rules": {"conflicting_duplicate_key": 6},
        "note": "both copies of each of the 3 ids: the warehouse cannot tell which is right",
    },
    "null-keys": {
        "layer": "staging",
        "relation": "jd__orders",
        "rules": {"order_id_missing": 2, "pin_hash_not_64_lowercase_hex": 1},
    },
    "raw-id-in-hash": {
        "layer": "staging",
        "relation": "xhs__note_events",
        "rules": {"user_key_not_64_lowercase_hex": 3},
    },
    "organic-note-shop-link": {
        "layer": "staging",
        "relation": "xhs__notes",
        "rules": {"shop_link_on_organic_note": 3},
    },
    "overlapping-validity": {
        "layer": "contract",
        "expectation": "brand_validity_periods_do_not_overlap",
        "relation": "staging.stg_shared__tri_party_accounts",
        "unexpected_count": 2,
    },
    "shop-two-brands": {
        "layer": "contract",
        "expectation": "shop_linked_to_one_brand_per_day",
        "relation": "intermediate.int_shop_links_resolved",
        "unexpected_count": 2,
    },
    "unowned-shop-order": {
        "layer": "accepted",
        "relation": "tb__orders",
        "note": (
            "staged; in fct_conversions with no brand (brand_account_id and brand_name "
            "null, is_shop_linked false), never attributed, counted in GMV"
        ),
    },
    "negative-money": {
        "layer": "staging",
        "relation": "xhs__ad_spend_daily",
        "rules": {"spend_cny_negative": 3},
    },
    "future-timestamp": {
        "layer": "staging",
        "relation": "tb__visits",
        "rules": {"visit_at_in_future": 3},
    },
    "unparseable-timestamp": {
        "layer": "staging",
        "relation": "tb__searches",
        "rules": {"searched_at_not_iso8601_with_offset": 3},
    },
    "money-wrong-unit": {
        "layer": "staging",
        "relation": "tb__orders",
        "rules": {"pay_fen_not_integer_fen": 3},
    },
    "missing-column": {
        "layer": "load",
        "relation": "tb__items",
        "message": "table tb/items: required column 'price_fen' missing in",
    },
    "extra-column": {
        "layer": "load_warning",
        "relation": "jd__shops",
        "message": "table jd/shops: extra column 'shopScore' in",
    },
}

# The key columns of the tables faults touch (as delivered, before staging).
KEY_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "xhs/notes": ("note_id",),
    "xhs/note_events": ("event_id",),
    "xhs/ad_spend_daily": ("spend_date", "campaign_id", "note_id"),
    "tb/shops": ("shop_id",),
    "tb/items": ("item_id",),
    "tb/visits": ("visit_id",),
    "tb/searches": ("search_id",),
    "tb/orders": ("order_id",),
    "jd/shops": ("venderId",),
    "jd/orders": ("orderId",),
    "shared/tri_party_accounts": ("tri_account_id", "valid_from"),
}


@dataclass(frozen=True)
class InjectedFault:
    """One fault as injected: where, which rows, and the outcome it must have."""

    kind: str
    table: str  # contract key, e.g. "tb/orders"
    column: str | None  # the column damaged; None when whole rows are added
    action: str  # what was done, in one sentence
    keys: tuple[str | None, ...]  # keys of the rows touched, as delivered before the fault
    count: int  # rows changed or added (for a column fault: rows of the file)
    rows_added: int  # rows the table gained
    files: tuple[str, ...]  # files rewritten, relative to the raw directory
    expected: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FaultManifest:
    """Everything `apply_faults` injected into one raw directory."""

    raw_dir: Path
    seed: int
    kinds: tuple[str, ...]
    faults: tuple[InjectedFault, ...]

    def by_kind(self, kind: str) -> InjectedFault:
        for fault in self.faults:
            if fault.kind == kind:
                return fault
        raise KeyError(kind)

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "kinds": list(self.kinds),
            "rows_per_fault": ROWS_PER_FAULT,
            "faults": [
                {**asdict(f), "keys": list(f.keys), "files": list(f.files)} for f in self.faults
            ],
        }

    @property
    def path(self) -> Path:
        return self.raw_dir / TRUTH_DIR / FAULTS_FILE


def normalise_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    """Kinds in `FAULT_KINDS` order, kebab-case; `ValueError` naming any unknown kind."""
    wanted = {k.strip().lower().replace("_", "-") for k in kinds if k.strip()}
    unknown = sorted(wanted - set(FAULT_KINDS))
    if unknown:
        raise ValueError(
            f"unknown fault kind(s): {', '.join(unknown)}; known: {', '.join(FAULT_KINDS)}"
        )
    return tuple(k for k in FAULT_KINDS if k in wanted)


def read_fault_manifest(raw_dir: Path) -> dict[str, Any]:
    """`<raw_dir>/_truth/faults.json` as written by `apply_faults`."""
    path = Path(raw_dir) / TRUTH_DIR / FAULTS_FILE
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- reading and writing tables --------------------------------------------------------


def _table_files(raw_dir: Path, table: RawTable) -> list[Path]:
    base = raw_dir / table.source
    for single in (base / f"{table.name}.csv", base / f"{table.name}.parquet"):
        if single.is_file():
            return [single]
    folder = base / table.name
    if folder.is_dir():
        files = sorted(
            p
            for p in folder.iterdir()
            if p.is_file()
            and not p.name.startswith((".", "_"))
            and p.suffix.lower() in (".csv", ".parquet")
        )
        if files:
            return files
    raise FileNotFoundError(f"table {table.key}: no .csv or .parquet file under {base}")


def _kind(path: Path) -> str:
    return "parquet" if path.suffix.lower() == ".parquet" else "csv"


def _read_csv(path: Path) -> pa.Table:
    """A CSV file as text columns (an empty field is NULL), exactly as delivered."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    columns = {
        name: pa.array([row[i] if row[i] != "" else None for row in body], pa.string())
        for i, name in enumerate(header)
    }
    return pa.table(columns)


def _text(value: Any) -> str | None:
    """A value as the contract encodes it in text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write_csv(path: Path, table: pa.Table) -> None:
    """RFC 4180: header row, comma, quotes only where needed, NULL as an empty field."""
    columns = [[_text(v) for v in table.column(i).to_pylist()] for i in range(table.num_columns)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.column_names)
        for row in zip(*columns, strict=True):
            writer.writerow(["" if v is None else v for v in row])


def _nullable(schema: pa.Schema) -> pa.Schema:
    return pa.schema([f.with_nullable(True) for f in schema])


def _as_text_array(array: pa.Array) -> pa.Array:
    """Text column from any column, encoded as the contract writes it in CSV."""
    if pa.types.is_string(array.type):
        return array
    return pa.array([_text(v) for v in array.to_pylist()], pa.string())


class _Table:
    """One raw table in memory (all its files), with row edits tracked per file."""

    def __init__(self, raw_dir: Path, table: RawTable) -> None:
        self.raw_dir = raw_dir
        self.table = table
        self.files = _table_files(raw_dir, table)
        parts = [
            _read_csv(p) if _kind(p) == "csv" else pq.read_table(p, use_threads=False)
            for p in self.files
        ]
        if len({str(_nullable(p.schema)) for p in parts}) > 1:
            # files of one table that disagree on columns or types: compare them as text
            parts = [
                pa.table({n: _as_text_array(p.column(n).combine_chunks()) for n in p.column_names})
                for p in parts
            ]
        self.sizes = [p.num_rows for p in parts]
        self.data = pa.concat_tables([p.cast(_nullable(p.schema)) for p in parts])
        self.dirty: set[int] = set()

    @property
    def num_rows(self) -> int:
        rows: int = self.data.num_rows
        return rows

    def part_of(self, rows: Iterable[int]) -> set[int]:
        bounds = np.cumsum(self.sizes)
        return {int(np.searchsorted(bounds, r, side="right")) for r in rows}

    def column(self, name: str) -> pa.Array:
        return self.data.column(name).combine_chunks()

    def values(self, name: str, rows: Sequence[int]) -> list[Any]:
        values: list[Any] = self.column(name).take(pa.array(rows, pa.int64())).to_pylist()
        return values

    def keys(self, rows: Sequence[int]) -> list[str | None]:
        columns = KEY_COLUMNS[self.table.key]
        values = [self.values(c, rows) for c in columns]
        keys: list[str | None] = []
        for parts in zip(*values, strict=True):
            texts = [_text(v) for v in parts]
            keys.append(texts[0] if len(texts) == 1 else "|".join(t or "" for t in texts))
        return keys

    def text_values(self, name: str, rows: Sequence[int]) -> list[str | None]:
        return [_text(v) for v in self.values(name, rows)]

    def set(self, name: str, rows: Sequence[int], values: Sequence[Any], *, as_text: bool) -> None:
        """Replace `name` at `rows` by `values`; `as_text` makes the column text first."""
        index = self.data.schema.get_field_index(name)
        array = self.column(name)
        if as_text or pa.types.is_string(array.type):
            array = _as_text_array(array)
            values = [_text(v) for v in values]
        order = np.argsort(np.asarray(rows))
        mask = np.zeros(self.num_rows, dtype=bool)
        mask[np.asarray(rows, dtype=np.int64)] = True
        replacements = pa.array([values[i] for i in order], array.type)
        updated = pc.replace_with_mask(array, pa.array(mask), replacements)
        self.data = self.data.set_column(index, pa.field(name, updated.type, True), updated)
        self.dirty |= self.part_of(rows)

    def append_copies(self, rows: Sequence[int], changes: Mapping[str, Sequence[Any]]) -> None:
        """Append copies of `rows`, with `changes` (column -> new values) applied."""
        copies = self.data.take(pa.array(rows, pa.int64()))
        for name, values in changes.items():
            index = copies.schema.get_field_index(name)
            array = copies.column(name)
            if pa.types.is_string(array.type):
                values = [_text(v) for v in values]
            copies = copies.set_column(index, copies.field(name), pa.array(values, array.type))
        self.data = pa.concat_tables([self.data, copies])
        self.sizes[-1] += len(rows)
        self.dirty.add(len(self.sizes) - 1)

    def rewritten(self) -> list[Path]:
        """Write back the files whose rows changed; returns them."""
        written = []
        start = 0
        for number, (path, size) in enumerate(zip(self.files, self.sizes, strict=True)):
            part = self.data.slice(start, size)
            start += size
            if number not in self.dirty:
                continue
            if _kind(path) == "csv":
                _write_csv(path, part)
            else:
                pq.write_table(part, path, **PARQUET_OPTIONS)
            written.append(path)
        return written


# --- choosing rows -----------------------------------------------------------------------


def _mask(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean compute result as numpy, NULL as False."""
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _unique_key_mask(t: _Table) -> np.ndarray:
    """Rows whose key is set and delivered exactly once."""
    columns = [pc.cast(t.column(c), pa.string()) for c in KEY_COLUMNS[t.table.key]]
    key = columns[0] if len(columns) == 1 else pc.binary_join_element_wise(*columns, "|")
    counts = pc.value_counts(key)
    repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    unique: np.ndarray = _mask(pc.is_valid(key)) & ~_mask(pc.is_in(key, value_set=repeated))
    return unique


class _Picker:
    """Deterministic row choices: one random stream per (seed, kind), no row used twice."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.used: dict[str, set[int]] = {}

    def rng(self, kind: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(kind.encode())])

    def pick(self, kind: str, t: _Table, n: int, where: np.ndarray | None = None) -> list[int]:
        """`n` rows of `t` with a unique key, among `where`, not used by another fault."""
        ok = _unique_key_mask(t)
        if where is not None:
            ok &= where
        used = self.used.setdefault(t.table.key, set())
        if used:
            ok[np.fromiter(used, dtype=np.int64)] = False
        candidates = np.flatnonzero(ok)
        if len(candidates) < n:
            raise ValueError(
                f"fault {kind}: table {t.table.key} has {len(candidates)} suitable rows, "
                f"{n} needed; generate a larger raw directory"
            )
        chosen = sorted(int(i) for i in self.rng(kind).choice(candidates, size=n, replace=False))
        used.update(chosen)
        return chosen

    def reserve(self, key: str, rows: Iterable[int]) -> None:
        self.used.setdefault(key, set()).update(rows)


# --- the faults ----------------------------------------------------------------------------


@dataclass
class _Context:
    raw_dir: Path
    picker: _Picker
    tables: dict[str, _Table] = field(default_factory=dict)

    def table(self, key: str) -> _Table:
        if key not in self.tables:
            self.tables[key] = _Table(self.raw_dir, TABLES_BY_KEY[key])
        return self.tables[key]

    def rel(self, path: Path) -> str:
        return path.relative_to(self.raw_dir).as_posix()


@dataclass(frozen=True)
class _Draft:
    """A fault before its files are known."""

    kind: str
    table: str
    column: str | None
    action: str
    keys: list[str | None]
    count: int
    rows_added: int = 0
    files: tuple[str, ...] = ()


def _replaced(
    kind: str,
    t: _Table,
    column: str,
    rows: Sequence[int],
    values: Sequence[Any],
    action: str,
    *,
    as_text: bool = False,
) -> _Draft:
    """Replace `column` at `rows` by `values`: the fault, keyed by the rows as delivered."""
    keys = t.keys(rows)
    t.set(column, rows, values, as_text=as_text)
    return _Draft(kind, t.table.key, column, action, keys, len(rows))


def _duplicate_order_ids(ctx: _Context, kind: str) -> _Draft:
    t = ctx.table("tb/orders")
    rows = ctx.picker.pick(kind, t, ROWS_PER_FAULT)
    fen = [int(str(v)) for v in t.values("pay_fen", rows)]
    keys = t.keys(rows)
    t.append_copies(rows, {"pay_fen": [v + 1_000 for v in fen]})
    return _Draft(
        kind,
        t.table.key,
        "order_id",
        "delivered 3 order lines a second time under the same order_id with pay_fen 10 yuan higher",
        keys,
        ROWS_PER_FAULT,
        rows_added=ROWS_PER_FAULT,
    )


def _null_keys(ctx: _Context, kind: str) -> _Draft:
    t = ctx.table("jd/orders")
    rows = ctx.picker.pick(kind, t, ROWS_PER_FAULT)
    keys = t.keys(rows)
    pin = t.values("pinHash", rows[2:3])
    t.set("orderId", rows[:2], [None, ""], as_text=False)
    t.set("pinHash", rows[2:3], [str(pin[0]).upper()], as_text=False)
    return _Draft(
        kind,
        t.table.key,
        "orderId",
        "orderId null in one order line and empty in another; pinHash in upper-case hex in a third",
        keys,
        ROWS_PER_FAULT,
    )


def _raw_id_in_hash(ctx: _Context, kind: str) -> _Draft:
    t = ctx.table("xhs/note_events")
    rows = ctx.picker.pick(kind, t, ROWS_PER_FAULT)
    digits = ctx.picker.rng(kind + "/digits").integers(0, 10, size=20)
    phone = "13" + "".join(str(d) for d in digits[:9])
    other = "15" + "".join(str(d) for d in digits[9:18])
    raw_ids = [phone, f"mei.lin{digits[18]}{digits[19]}@example.com", f"+86{other}"]
    return _replaced(
        kind,
        t,
        "user_key",
        rows,
        raw_ids,
        "user_key holds a raw mobile number, an e-mail address and a +86 mobile number "
        "instead of the salted SHA-256",
    )


def _organic_note_shop_link(ctx: _Context, kind: str) -> _Draft:
    notes = ctx.table("xhs/notes")
    tri = ctx.table("shared/tri_party_accounts")
    items = ctx.table("tb/items")
    shop_of_brand: dict[str, str] = {}
    for brand, shop in zip(
        tri.column("xhs_brand_account_id").to_pylist(),
        tri.column("tb_shop_id").to_pylist(),
        strict=True,
    ):
        if brand and shop:
            shop_of_brand.setdefault(str(brand), str(shop))
    items_of_shop: dict[str, list[str]] = {}
    for item, shop in zip(
        items.column("item_id").to_pylist(), items.column("shop_id").to_pylist(), strict=True
    ):
        if item and shop:
            items_of_shop.setdefault(str(shop), []).append(str(item))
    linkable = {b for b, s in shop_of_brand.items() if items_of_shop.get(s)}
    where = (
        _mask(pc.equal(notes.column("note_kind"), "organic"))
        & _mask(pc.is_null(notes.column("link_platform")))
        & _mask(pc.is_in(notes.column("brand_account_id"), value_set=pa.array(sorted(linkable))))
    )
    rows = ctx.picker.pick(kind, notes, ROWS_PER_FAULT, where)
    brands = notes.values("brand_account_id", rows)
    item_ids = [sorted(items_of_shop[shop_of_brand[str(b)]])[0] for b in brands]
    notes.set("link_platform", rows, ["taobao"] * len(rows), as_text=False)
    notes.set("link_item_id", rows, item_ids, as_text=False)
    return _Draft(
        kind,
        notes.table.key,
        "link_platform",
        "3 organic notes of brands carry a taobao link to an item of the brand's own shop",
        notes.keys(rows),
        ROWS_PER_FAULT,
    )


def _single_period_brands(tri: _Table) -> dict[str, int]:
    """Brand account -> its row, for brands with exactly one validity period."""
    rows_of: dict[str, list[int]] = {}
    for row, brand in enumerate(tri.column("xhs_brand_account_id").to_pylist()):
        if brand:
            rows_of.setdefault(str(brand), []).append(row)
    return {b: rows[0] for b, rows in rows_of.items() if len(rows) == 1}


def _date(value: Any) -> dt.date | None:
    text = _text(value)
    return dt.date.fromisoformat(text) if text else None


def _overlapping_validity(ctx: _Context, kind: str) -> _Draft:
    tri = ctx.table("shared/tri_party_accounts")
    single = _single_period_brands(tri)
    open_ended = _mask(pc.is_null(tri.column("valid_to")))
    where = np.zeros(tri.num_rows, dtype=bool)
    where[list(single.values())] = True
    rows = ctx.picker.pick(kind, tri, 1, where & open_ended)
    start = _date(tri.values("valid_from", rows)[0])
    assert start is not None
    renewal = start + dt.timedelta(days=180)
    keys = tri.keys(rows)
    tri.append_copies(rows, {"valid_from": [renewal]})
    keys += [f"{tri.values('tri_account_id', rows)[0]}|{renewal.isoformat()}"]
    return _Draft(
        kind,
        tri.table.key,
        "valid_from",
        f"a second open validity period from {renewal.isoformat()} for a brand whose "
        "open period was never closed",
        keys,
        1,
        rows_added=1,
    )


def _shop_two_brands(ctx: _Context, kind: str) -> _Draft:
    tri = ctx.table("shared/tri_party_accounts")
    single = _single_period_brands(tri)
    has_shop = _mask(pc.is_valid(tri.column("tb_shop_id")))
    eligible = np.zeros(tri.num_rows, dtype=bool)
    eligible[list(single.values())] = True
    eligible &= has_shop
    claimant = ctx.picker.pick(kind, tri, 1, eligible)[0]
    start = _date(tri.values("valid_from", [claimant])[0])
    end = _date(tri.values("valid_to", [claimant])[0]) or dt.date.max
    assert start is not None
    overlapping = eligible.copy()
    for row in np.flatnonzero(eligible):
        other_start = _date(tri.values("valid_from", [int(row)])[0])
        other_end = _date(tri.values("valid_to", [int(row)])[0]) or dt.date.max
        assert other_start is not None
        overlapping[row] = other_start <= end and start <= other_end
    owner = ctx.picker.pick(kind + "/owner", tri, 1, overlapping)[0]
    shop = tri.values("tb_shop_id", [owner])[0]
    return _replaced(
        kind,
        tri,
        "tb_shop_id",
        [claimant],
        [shop],
        f"brand {tri.values('brand_name', [claimant])[0]}'s tri-party account names tb shop "
        f"{shop}, which brand {tri.values('brand_name', [owner])[0]}'s account links over "
        "the same days",
    )


def _seeded_order_ids(raw_dir: Path, platform: str) -> pa.Array:
    truth = raw_dir / TRUTH_DIR / "seeded_orders.parquet"
    if not truth.is_file():
        return pa.array([], pa.string())
    table = pq.read_table(truth, columns=["platform", "order_id"])
    return table.filter(pc.equal(table.column("platform"), platform)).column("order_id")


def _unowned_shop_order(ctx: _Context, kind: str) -> _Draft:
    orders = ctx.table("tb/orders")
    shops = ctx.table("tb/shops")
    tri = ctx.table("shared/tri_party_accounts")
    known = {str(s) for s in shops.column("shop_id").to_pylist() if s} | {
        str(s) for s in tri.column("tb_shop_id").to_pylist() if s
    }
    live = _mask(
        pc.is_in(orders.column("status"), value_set=pa.array(["paid", "shipped", "completed"]))
    )
    seeded = _mask(
        pc.is_in(orders.column("order_id"), value_set=_seeded_order_ids(ctx.raw_dir, "taobao"))
    )
    where = (
        live & seeded if np.count_nonzero(live & seeded & _unique_key_mask(orders)) >= 6 else live
    )
    rows = ctx.picker.pick(kind, orders, ROWS_PER_FAULT, where)
    rng = ctx.picker.rng(kind + "/shop")
    shop = "ts_" + "".join(f"{b:02x}" for b in rng.integers(0, 256, size=8))
    while shop in known:
        shop = "ts_" + "".join(f"{b:02x}" for b in rng.integers(0, 256, size=8))
    return _replaced(
        kind,
        orders,
        "shop_id",
        rows,
        [shop] * len(rows),
        f"3 paid order lines (xhs-seeded ones when there are enough) moved to shop {shop}, "
        "which no tri-party account links and tb/shops does not list",
    )


def _negative_money(ctx: _Context, kind: str) -> _Draft:
    t = ctx.table("xhs/ad_spend_daily")
    positive = _mask(pc.greater(pc.cast(t.column("spend_cny"), pa.decimal128(18, 2)), 0))
    rows = ctx.picker.pick(kind, t, ROWS_PER_FAULT, positive)
    amounts = [Decimal(str(v)) for v in t.values("spend_cny", rows)]
    return _replaced(
        kind,
        t,
        "spend_cny",
        rows,
        [-a for a in amounts],
        "3 daily spends delivered with a minus sign",
    )


def _future_timestamp(ctx: _Context, kind: str) -> _Draft:
    t = ctx.table("tb/visits")
    rows = ctx.picker.pick(kind, t, ROWS_PER_FAULT)
    # 2096 is a leap year, so a 29 February stays a valid date
    values = ["2096" + str(v)[4:] for v in t.text_values("visit_at", rows)]
    return _replaced(
        kind,
        t,
        "visit_at",
        rows,
        values,
        "3 visits dated in 2096 (a device clock gone wrong), same day and time",
    )


def _unparseable_timestamp(ctx: _Context, kind: str) -> _Draft:
    t = ctx.table("tb/searches")
    rows = ctx.picker.pick(kind, t, ROWS_PER_FAULT)
    texts = [str(v) for v in t.text_values("searched_at", rows)]
    moments = [dt.datetime.fromisoformat(v) for v in texts]
    values = [
        texts[0][:19].replace("T", " "),  # the offset dropped
        moments[1].strftime("%d/%m/%Y %H:%M:%S"),  # day/month/year
        str(int(moments[2].timestamp())),  # epoch seconds in an ISO 8601 column
    ]
    return _replaced(
        kind,
        t,
        "searched_at",
        rows,
        values,
        "searched_at without its offset, as day/month/year, and as epoch seconds",
    )


def _money_wrong_unit(ctx: _Context, kind: str) -> _Draft:
    t = ctx.table("tb/orders")
    rows = ctx.picker.pick(kind, t, ROWS_PER_FAULT)
    fen = [int(str(v)) for v in t.values("pay_fen", rows)]
    return _replaced(
        kind,
        t,
        "pay_fen",
        rows,
        [f"{v // 100}.{v % 100:02d}" for v in fen],
        "3 pay_fen values delivered in yuan with two decimals (12900 fen as 129.00); "
        "the column becomes text",
        as_text=True,
    )


def _rewrite_first_file(
    ctx: _Context, key: str, edit: Callable[[pa.Table], pa.Table]
) -> tuple[Path, int]:
    """Apply a column edit to the table's first file, keeping its format."""
    path = _table_files(ctx.raw_dir, TABLES_BY_KEY[key])[0]
    if _kind(path) == "csv":
        data = edit(_read_csv(path))
        _write_csv(path, data)
    else:
        data = edit(pq.read_table(path, use_threads=False))
        pq.write_table(data, path, **PARQUET_OPTIONS)
    return path, data.num_rows


def _missing_column(ctx: _Context, kind: str) -> _Draft:
    path, rows = _rewrite_first_file(ctx, "tb/items", lambda t: t.drop_columns(["price_fen"]))
    return _Draft(
        kind,
        "tb/items",
        "price_fen",
        f"column price_fen removed from {path.name}",
        [],
        rows,
        files=(ctx.rel(path),),
    )


def _extra_column(ctx: _Context, kind: str) -> _Draft:
    def add(t: pa.Table) -> pa.Table:
        scores = [f"4.{(7 * i) % 10}" for i in range(t.num_rows)]
        return t.append_column("shopScore", pa.array(scores, pa.string()))

    path, rows = _rewrite_first_file(ctx, "jd/shops", add)
    return _Draft(
        kind,
        "jd/shops",
        "shopScore",
        f"column shopScore (not in the contract) added to {path.name}",
        [],
        rows,
        files=(ctx.rel(path),),
    )


_ROW_FAULTS: Mapping[str, Callable[[_Context, str], _Draft]] = {
    "duplicate-order-ids": _duplicate_order_ids,
    "null-keys": _null_keys,
    "raw-id-in-hash": _raw_id_in_hash,
    "organic-note-shop-link": _organic_note_shop_link,
    "overlapping-validity": _overlapping_validity,
    "shop-two-brands": _shop_two_brands,
    "unowned-shop-order": _unowned_shop_order,
    "negative-money": _negative_money,
    "future-timestamp": _future_timestamp,
    "unparseable-timestamp": _unparseable_timestamp,
    "money-wrong-unit": _money_wrong_unit,
}
_FILE_FAULTS: Mapping[str, Callable[[_Context, str], _Draft]] = {
    "missing-column": _missing_column,
    "extra-column": _extra_column,
}


def apply_faults(raw_dir: Path, kinds: Sequence[str], seed: int) -> FaultManifest:
    """Inject `kinds` into the raw directory `raw_dir`; write and return the manifest.

    Row faults are applied first (in `FAULT_KINDS` order), their files written
    once each, then the column faults on the written files. `ValueError` for an
    unknown kind or a directory too small to hold a fault; a directory that
    already holds faults (`_truth/faults.json`) is refused, so faults never pile
    up unrecorded.
    """
    raw_dir = Path(raw_dir)
    ordered = normalise_kinds(kinds)
    if not ordered:
        raise ValueError("no fault kind given")
    manifest_path = raw_dir / TRUTH_DIR / FAULTS_FILE
    if manifest_path.exists():
        raise ValueError(f"{raw_dir} already holds injected faults ({manifest_path})")
    ctx = _Context(raw_dir, _Picker(seed))
    drafts = [_ROW_FAULTS[k](ctx, k) for k in ordered if k in _ROW_FAULTS]
    written: dict[str, list[str]] = {}
    for key, t in ctx.tables.items():
        written[key] = [ctx.rel(p) for p in t.rewritten()]
    row_faults = [
        InjectedFault(
            kind=d.kind,
            table=d.table,
            column=d.column,
            action=d.action,
            keys=tuple(d.keys),
            count=d.count,
            rows_added=d.rows_added,
            files=tuple(written.get(d.table, [])),
            expected=EXPECTED_OUTCOMES[d.kind],
        )
        for d in drafts
    ]
    file_faults = [
        InjectedFault(
            kind=d.kind,
            table=d.table,
            column=d.column,
            action=d.action,
            keys=(),
            count=d.count,
            rows_added=0,
            files=d.files,
            expected=EXPECTED_OUTCOMES[d.kind],
        )
        for d in (_FILE_FAULTS[k](ctx, k) for k in ordered if k in _FILE_FAULTS)
    ]
    manifest = FaultManifest(raw_dir, seed, ordered, tuple(row_faults + file_faults))
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(
        json.dumps(manifest.to_json(), indent=2, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8",
    )
    return manifest
