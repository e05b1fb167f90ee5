"""Small, valid raw directories for tests, built from the contract.

`write_raw_dir(out, n)` writes every table of `redcat.contract.RAW_TABLES`
with `n` rows of values that satisfy docs/sources.md (ids, 64-hex keys,
enumerations, time encodings, money units), as CSV, Parquet or folders of
files. Rows are deterministic for `n` and `offset` and reference each other
(notes point at accounts, orders at shops and items, ...), so the same
directory can be loaded and built by dbt. Tests that need a broken directory
start from a valid one and damage a single file.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from redcat.contract import (
    ACCOUNT_TYPES,
    BOOST_TYPES,
    EVENT_TYPES,
    INDUSTRIES,
    MATCH_METHODS,
    RAW_TABLES,
    TABLES_BY_KEY,
    TB_CHANNELS,
    TB_ORDER_STATUSES,
    RawTable,
)
from redcat.warehouse import project_root

# The hand-made raw directory committed with the tests.
HANDMADE_RAW_DIR = project_root() / "tests" / "fixtures" / "raw_handmade"

Row = dict[str, Any]

FORMATS = ("usual", "csv", "parquet", "folder", "mixed")

ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "bigint": pa.int64(),
    "integer": pa.int32(),
    "boolean": pa.bool_(),
    "double": pa.float64(),
    "date": pa.date32(),
    "decimal": pa.decimal128(18, 2),
}

START = date(2024, 3, 1)
EPOCH_START_S = 1_709_251_200  # 2024-03-01 00:00:00 UTC


def hex_key(domain: str, i: int) -> str:
    """A 64-lowercase-hex user key, as the platforms deliver them."""
    return hashlib.sha256(f"{domain}:{i}".encode()).hexdigest()


def _shanghai(i: int) -> str:
    day = START + timedelta(days=i % 28)
    return f"{day.isoformat()} {8 + i % 12:02d}:{i % 60:02d}:{(7 * i) % 60:02d}"


def _iso(i: int) -> str:
    day = START + timedelta(days=i % 28)
    return f"{day.isoformat()}T{9 + i % 12:02d}:{(3 * i) % 60:02d}:00+08:00"


def _industry(i: int) -> str:
    return INDUSTRIES[i % len(INDUSTRIES)]


def _rows(n: int, offset: int) -> dict[str, Callable[[int], Row]]:
    """Row builders per table key; `i` runs over offset .. offset + n - 1."""

    def ref(i: int) -> int:  # a row index that exists in every table
        return offset + (i - offset) % n

    return {
        "xhs/accounts": lambda i: {
            "account_id": f"xa_{i:06d}",
            "account_type": ACCOUNT_TYPES[i % len(ACCOUNT_TYPES)],
            "nickname": f'小红 {i}, "the {i}th"' if i % 2 else f"creator {i}",
            "industry": None if ACCOUNT_TYPES[i % 3] == "creator" else _industry(i),
            "follower_count": 100 * i,
            "created_at": _shanghai(i),
        },
        "xhs/notes": lambda i: {
            "note_id": f"xn_{i:06d}",
            "author_account_id": f"xa_{ref(i + 1):06d}",
            "brand_account_id": f"xa_{ref(i):06d}",
            "note_kind": "ad" if i % 2 == 0 else "organic",
            "industry": _industry(i),
            "spu_id": f"spu_{i:05d}",
            "link_platform": ("taobao" if i % 4 == 0 else "jd") if i % 2 == 0 else None,
            "link_item_id": (f"ti_{i:06d}" if i % 4 == 0 else f"sku_{i:06d}")
            if i % 2 == 0
            else None,
            "published_at": _shanghai(i),
        },
        "xhs/note_events": lambda i: {
            "event_id": f"xe_{i:08d}",
            "note_id": f"xn_{ref(i):06d}",
            "user_key": hex_key("xhs", i % 7),
            "event_type": EVENT_TYPES[i % len(EVENT_TYPES)],
            "event_ms": (EPOCH_START_S + 3_600 * i) * 1000 + 123,
        },
        "xhs/ad_spend_daily": lambda i: {
            "spend_date": START + timedelta(days=i),
            "campaign_id": f"xc_{i % 3:04d}",
            "note_id": f"xn_{ref(i):06d}",
            "brand_account_id": f"xa_{ref(i):06d}",
            "boost_type": BOOST_TYPES[i % len(BOOST_TYPES)],
            "is_joint": i % 2 == 0,
            "spend_cny": Decimal(1000 + 25 * i) / 100,
        },
        "xhs/shop_orders": lambda i: {
            "order_id": f"xo_{i:06d}",
            "user_key": hex_key("xhs", i % 7),
            "seller_account_id": f"xa_{ref(i):06d}",
            "note_id": f"xn_{ref(i):06d}" if i % 2 else None,
            "gmv_cny": Decimal(12_900 + i) / 100,
            "ordered_at": _shanghai(i),
        },
        "tb/shops": lambda i: {
            "shop_id": f"ts_{i:05d}",
            "shop_name": f"Brand {i} 旗舰店",
            "brand_name": f"Brand {i}",
            "industry": _industry(i),
            "is_tmall": i % 2 == 0,
        },
        "tb/items": lambda i: {
            "item_id": f"ti_{i:06d}",
            "shop_id": f"ts_{ref(i):05d}",
            "spu_id": f"spu_{i:05d}",
            "title": f"Item {i}, size M",
            "price_fen": 9_900 + i,
        },
        "tb/visits": lambda i: {
            "visit_id": f"tv_{i:07d}",
            "shop_id": f"ts_{ref(i):05d}",
            "buyer_key": hex_key("tb", i % 5),
            "visit_at": _iso(i),
            "channel": TB_CHANNELS[i % len(TB_CHANNELS)],
            "ref_note_id": f"xn_{ref(i):06d}" if TB_CHANNELS[i % 5] == "xhs_ad_link" else None,
        },
        "tb/searches": lambda i: {
            "search_id": f"tq_{i:07d}",
            "buyer_key": hex_key("tb", i % 5),
            "query": f"brand {i} 面霜" if i % 2 else f"running shoes {i}",
            "searched_at": _iso(i),
        },
        "tb/orders": lambda i: {
            "order_id": f"to_{i:07d}",
            "buyer_key": hex_key("tb", i % 5),
            "shop_id": f"ts_{ref(i):05d}",
            "item_id": f"ti_{ref(i):06d}",
            "quantity": 1 + i % 3,
            "pay_fen": 19_900 + 10 * i,
            "discount_fen": 500 * (i % 2),
            "is_presale": i % 4 == 3,
            "status": TB_ORDER_STATUSES[i % len(TB_ORDER_STATUSES)],
            "paid_at": _iso(i),
        },
        "jd/shops": lambda i: {
            "venderId": f"jv_{i:05d}",
            "shopName": f"Brand {i} 京东自营",
            "brandName": f"Brand {i}",
            "industry": _industry(i),
        },
        "jd/orders": lambda i: {
            "orderId": f"jo_{i:07d}",
            "pinHash": hex_key("jd", i % 5),
            "venderId": f"jv_{ref(i):05d}",
            "skuId": f"sku_{i:06d}",
            "spuId": f"spu_{i:05d}",
            "amount": f"{129 + i}.00",
            "orderTime": EPOCH_START_S + 5_400 * i,
            "orderState": 1 + i % 5,
            "sourceNoteId": f"xn_{ref(i):06d}" if i % 2 == 0 else None,
        },
        "shared/tri_party_accounts": lambda i: {
            "tri_account_id": f"tri_{i:05d}",
            "brand_name": f"Brand {i}",
            "xhs_brand_account_id": f"xa_{i:06d}",
            "tb_shop_id": f"ts_{i:05d}",
            "jd_vender_id": f"jv_{i:05d}" if i % 2 == 0 else None,
            "valid_from": date(2024, 1, 1),
            "valid_to": None if i % 3 else date(2025, 6, 30),
        },
        "shared/user_matches": lambda i: {
            "xhs_user_key": hex_key("xhs", i),
            "platform": "taobao" if i % 2 == 0 else "jd",
            "platform_user_key": hex_key("tb" if i % 2 == 0 else "jd", i),
            "match_method": MATCH_METHODS[i % len(MATCH_METHODS)],
            "confidence": round(0.5 + (i % 50) / 100, 2),
            "matched_at": _iso(i),
        },
    }


def table_rows(table: RawTable, n: int, offset: int = 0) -> list[Row]:
    """`n` valid rows of one table, in contract column order."""
    build = _rows(n, offset)[table.key]
    rows = [build(i) for i in range(offset, offset + n)]
    return [{c: row[c] for c in table.column_names} for row in rows]


def csv_text(value: Any) -> str:
    """A value as the contract encodes it in a CSV field (None is the empty field)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Row]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_text(row.get(c)) for c in columns])
    return path


def arrow_table(table: RawTable, rows: Sequence[Row]) -> pa.Table:
    schema = pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns])
    return pa.Table.from_pylist([dict(r) for r in rows], schema=schema)


def write_parquet(path: Path, table: RawTable, rows: Sequence[Row]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(arrow_table(table, rows), path)
    return path


def write_table(out: Path, table: RawTable, rows: Sequence[Row], fmt: str = "usual") -> list[Path]:
    """Write one table in a format of `FORMATS`; returns the files written.

    `folder` splits the rows over two files of the table's usual format,
    `mixed` over one CSV and one Parquet file in the table's folder.
    """
    base = out / table.source
    if fmt == "usual":
        fmt = table.usual_format
    if fmt == "csv":
        return [write_csv(base / f"{table.name}.csv", table.column_names, rows)]
    if fmt == "parquet":
        return [write_parquet(base / f"{table.name}.parquet", table, rows)]
    half = (len(rows) + 1) // 2
    parts = (rows[:half], rows[half:])
    folder = base / table.name
    if fmt == "folder":
        kinds = (table.usual_format, table.usual_format)
    elif fmt == "mixed":
        kinds = ("csv", "parquet")
    else:
        raise ValueError(f"unknown format {fmt!r}; one of {FORMATS}")
    written = []
    for number, (kind, part) in enumerate(zip(kinds, parts, strict=True)):
        path = folder / f"part-{number}.{kind}"
        if kind == "csv":
            written.append(write_csv(path, table.column_names, part))
        else:
            written.append(write_parquet(path, table, part))
    return written


def write_raw_dir(
    out: Path,
    n: int = 5,
    fmt: str = "usual",
    *,
    formats: dict[str, str] | None = None,
    offset: int = 0,
) -> dict[str, list[Row]]:
    """Write a valid raw directory with `n` rows per table; returns the rows by table key."""
    written: dict[str, list[Row]] = {}
    for table in RAW_TABLES:
        rows = table_rows(table, n, offset)
        write_table(out, table, rows, (formats or {}).get(table.key, fmt))
        written[table.key] = rows
    return written


def table(key: str) -> RawTable:
    return TABLES_BY_KEY[key]
