"""From the generator's integer arrays to the raw contract's tables and files.

NumPy decides every value; this module only renders them: ids and vocabulary
look-ups with Arrow, hashes (SHA-256) with DuckDB, once per key and kept for
the rest of the run, time strings and decimal text from integer arithmetic
(DuckDB's `strftime` and casts for values outside their plain range), and
files with Arrow's Parquet writer or DuckDB's CSV writer. Column names, order
and types come from `redcat.contract`.
"""

from __future__ import annotations

import binascii
import queue
import threading
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from redcat.contract import (
    ACCOUNT_TYPES,
    BOOST_TYPES,
    EVENT_TYPES,
    INDUSTRIES,
    LINK_PLATFORMS,
    MATCH_METHODS,
    MATCH_PLATFORMS,
    TABLES_BY_KEY,
    TB_CHANNELS,
    TB_ORDER_STATUSES,
    RawTable,
)
from redcat.generate import names, rand
from redcat.generate.commerce import query_text
from redcat.generate.engagement import PATHS
from redcat.generate.story import FIRST_DAY_NUMBER, LOCAL_OFFSET_MS
from redcat.generate.world import World

Columns = dict[str, np.ndarray]

ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "bigint": pa.int64(),
    "integer": pa.int32(),
    "boolean": pa.bool_(),
    "double": pa.float64(),
    "date": pa.date32(),
    "decimal": pa.decimal128(18, 2),
}
PARQUET_OPTIONS = {"compression": "zstd", "version": "2.6"}
ROW_GROUP_SIZE = 1 << 20

TRUTH_SCHEMA = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("order_id", pa.string(), nullable=False),
        pa.field("note_id", pa.string(), nullable=False),
        pa.field("xhs_user_key", pa.string(), nullable=False),
        pa.field("path", pa.string(), nullable=False),
    ]
)


def arrow_schema(table: RawTable) -> pa.Schema:
    return pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.type], nullable=c.nullable) for c in table.columns]
    )


def _vocab(values: tuple[str, ...] | list[str], codes: np.ndarray) -> pa.Array:
    return pa.array(list(values), pa.string()).take(pa.array(np.asarray(codes, dtype=np.int64)))


def _take(values: pa.Array, index: np.ndarray) -> pa.Array:
    """values[index], null where index < 0."""
    index = np.asarray(index, dtype=np.int64)
    taken = (
        values.take(pa.array(np.maximum(index, 0)))
        if len(values)
        else pa.nulls(len(index), pa.string())
    )
    if (index < 0).any():
        return pc.if_else(pa.array(index < 0), pa.scalar(None, values.type), taken)
    return taken


def cents_to_decimal(cents: np.ndarray) -> pa.Array:
    """Exact decimal(18,2) from integer hundredths."""
    c = np.asarray(cents, dtype=np.int64)
    words = np.empty((len(c), 2), dtype=np.int64)
    words[:, 0] = c
    words[:, 1] = np.where(c < 0, -1, 0)
    return pa.Array.from_buffers(
        pa.decimal128(18, 2), len(c), [None, pa.py_buffer(words.tobytes())]
    )


def days_to_date(day: np.ndarray) -> pa.Array:
    d = (np.asarray(day, dtype=np.int64) + FIRST_DAY_NUMBER).astype(np.int32)
    return pa.Array.from_buffers(pa.date32(), len(d), [None, pa.py_buffer(d.tobytes())])


# Two decimal digits for 0..99, as one uint16 each (memory order).
_TWO_DIGITS = np.frombuffer(b"".join(b"%02d" % i for i in range(100)), dtype=np.uint16)
# Four lowercase hex digits for every pair of bytes, indexed by the pair read as a
# uint16 in memory order.
_HEX_QUADS = (
    rand.HEX_PAIRS.view(np.uint8)
    .reshape(256, 2)[np.arange(1 << 16, dtype=np.uint16).view(np.uint8).reshape(-1, 2)]
    .reshape(1 << 16, 4)
    .view(np.uint32)
    .reshape(1 << 16)
)
_DIGEST = np.dtype((np.void, 32))
_DAY_MS = 86_400_000
# Times whose text is rendered by arithmetic: 1970-01-01 up to 9999-12-31 (four-digit years).
_PLAIN_MS_END = 253_402_300_800_000


def _fixed_strings(chars: np.ndarray) -> pa.Array:
    """A string array from an (n, width) array of UTF-8 bytes, one row per value."""
    n, width = chars.shape
    if n * width >= 1 << 31:
        raise ValueError(f"{n} strings of {width} bytes exceed a string array's 2 GiB")
    data = pa.py_buffer(np.ascontiguousarray(chars).reshape(n * width))
    offsets = pa.py_buffer(np.arange(0, width * (n + 1), width, dtype=np.int32))
    return pa.StringArray.from_buffers(n, offsets, data)


def _hex_strings(digests: np.ndarray) -> pa.Array:
    """Lowercase hex text of each row of an (n, 32) uint8 array of digests."""
    n = len(digests)
    pairs = np.ascontiguousarray(digests).view(np.uint16)
    return _fixed_strings(_HEX_QUADS[pairs].view(np.uint8).reshape(n, 64))


def _plain_ms(ms: np.ndarray) -> bool:
    return len(ms) == 0 or (int(ms.min()) >= 0 and int(ms.max()) < _PLAIN_MS_END)


def _clock_bytes(ms: np.ndarray, sep: bytes, suffix: bytes) -> np.ndarray:
    """`YYYY-MM-DD<sep>HH:MM:SS<suffix>` of epoch milliseconds (>= 0, four-digit
    years), seconds truncated like `strftime`, as an (n, width) uint8 array."""
    n = len(ms)
    day = ms // _DAY_MS
    second = (ms - day * _DAY_MS) // 1000
    dates = day.astype("datetime64[D]")
    month_start = dates.astype("datetime64[M]")
    year = month_start.astype("datetime64[Y]").astype(np.int64) + 1970
    month = month_start.astype(np.int64) % 12 + 1
    mday = (dates - month_start).astype(np.int64) + 1
    fields = (
        (0, year // 100),
        (2, year % 100),
        (5, month),
        (8, mday),
        (11, second // 3600),
        (14, second // 60 % 60),
        (17, second % 60),
    )
    out = np.empty((n, 19 + len(suffix)), dtype=np.uint8)
    for pos, literal in ((4, b"-"), (7, b"-"), (10, sep), (13, b":"), (16, b":")):
        out[:, pos] = literal[0]
    for pos, value in fields:
        out[:, pos : pos + 2] = _TWO_DIGITS[value].view(np.uint8).reshape(n, 2)
    if suffix:
        out[:, 19:] = np.frombuffer(suffix, dtype=np.uint8)
    return out


class DigestCache:
    """SHA-256 digests of the ids of one hash domain, each computed once (by
    `compute`, which gives the 64-hex text of each id) and kept as 32 bytes."""

    def __init__(self, compute: Callable[[np.ndarray], pa.Array]) -> None:
        self._compute = compute
        self._digest = np.zeros(0, dtype=_DIGEST)
        self._known = np.zeros(0, dtype=bool)

    def of(self, index: np.ndarray) -> np.ndarray:
        """The (n, 32) uint8 digests of non-negative ids."""
        index = np.asarray(index, dtype=np.int64)
        if len(index) == 0:
            return np.zeros((0, 32), dtype=np.uint8)
        self._grow(int(index.max()) + 1)
        missing = index[~self._known[index]]
        if len(missing):
            flags = np.zeros(len(self._known), dtype=bool)
            flags[missing] = True
            new = np.flatnonzero(flags)  # sorted, each once
            text = self._compute(new).cast(pa.string())
            offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[
                text.offset : text.offset + len(text) + 1
            ]
            if text.null_count or len(text) != len(new) or (np.diff(offsets) != 64).any():
                raise AssertionError("SHA-256 hex text expected for every id")
            data = np.frombuffer(text.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
            digest = np.frombuffer(binascii.unhexlify(data.tobytes()), dtype=_DIGEST)
            self._digest[new] = digest
            self._known[new] = True
        taken: np.ndarray = np.take(self._digest, index).view(np.uint8).reshape(len(index), 32)
        return taken

    def _grow(self, size: int) -> None:
        if size <= len(self._known):
            return
        size = max(size, len(self._known) * 3 // 2)
        digest = np.zeros(size, dtype=_DIGEST)
        digest[: len(self._digest)] = self._digest
        known = np.zeros(size, dtype=bool)
        known[: len(self._known)] = self._known
        self._digest, self._known = digest, known


class Renderer:
    """Turns column arrays into contract tables."""

    def __init__(self, world: World, con: duckdb.DuckDBPyConnection) -> None:
        self.w = world
        self.con = con
        seed = world.seed
        self.salts = {"xhs": f"xhs|{seed}|", "taobao": f"tb|{seed}|", "jd": f"jd|{seed}|"}
        self._digest_caches: dict[str, DigestCache] = {}

    def _project(self, columns: dict[str, np.ndarray], select: str) -> pa.Table:
        """Run a projection-only query over `columns` (as relation `src`)."""
        src = pa.table({k: pa.array(v) for k, v in columns.items()})
        self.con.register("src", src)
        try:
            return self.con.sql(f"select {select} from src").to_arrow_table()
        finally:
            self.con.unregister("src")

    def hashes(self, domain: str, index: np.ndarray) -> pa.Array:
        """64-hex salted SHA-256 of each id in a hash domain (xhs, taobao, jd)."""
        index = np.asarray(index, dtype=np.int64)
        if len(index) and index.min() < 0:
            uniq, inverse = np.unique(index, return_inverse=True)
            keys = self._sha256_text(domain, uniq)
            return keys.take(pa.array(inverse.astype(np.int64)))
        cache = self._digest_caches.get(domain)
        if cache is None:
            cache = self._digest_caches[domain] = DigestCache(
                lambda ids: self._sha256_text(domain, ids)
            )
        return _hex_strings(cache.of(index))

    def _sha256_text(self, domain: str, ids: np.ndarray) -> pa.Array:
        """64-hex SHA-256 of the domain's salt followed by each id's decimal text."""
        salt = self.salts[domain].replace("'", "")
        out = self._project({"i": ids}, f"sha256('{salt}' || i::varchar) as k")
        return out.column("k").combine_chunks()

    def local_text(self, ms: np.ndarray) -> pa.Array:
        """Asia/Shanghai wall-clock text `YYYY-MM-DD HH:MM:SS`."""
        ms = np.asarray(ms, dtype=np.int64)
        if _plain_ms(ms + LOCAL_OFFSET_MS):
            return _fixed_strings(_clock_bytes(ms + LOCAL_OFFSET_MS, b" ", b""))
        out = self._project(
            {"ms": ms},
            f"strftime(epoch_ms(ms + {LOCAL_OFFSET_MS}), '%Y-%m-%d %H:%M:%S') as t",
        )
        return out.column("t").combine_chunks()

    def iso_text(self, ms: np.ndarray, utc: np.ndarray | None = None) -> pa.Array:
        """ISO 8601 with an explicit offset: +08:00, or +00:00 where `utc`."""
        ms = np.asarray(ms, dtype=np.int64)
        utc = np.zeros(len(ms), dtype=bool) if utc is None else np.asarray(utc, dtype=bool)
        local = np.where(utc, ms, ms + LOCAL_OFFSET_MS)
        if _plain_ms(local):
            text = _clock_bytes(local, b"T", b"+08:00")
            text[utc, -4] = ord("0")  # +08:00 -> +00:00
            return _fixed_strings(text)
        out = self._project(
            {"ms": ms, "utc": utc},
            "case when utc then strftime(epoch_ms(ms), '%Y-%m-%dT%H:%M:%S') || '+00:00' else "
            f"strftime(epoch_ms(ms + {LOCAL_OFFSET_MS}), '%Y-%m-%dT%H:%M:%S') || '+08:00' end as t",
        )
        return out.column("t").combine_chunks()

    def yuan_text(self, fen: np.ndarray) -> pa.Array:
        """Decimal text with two places, e.g. 12900 -> "129.00"."""
        fen = np.asarray(fen, dtype=np.int64)
        if len(fen) == 0 or fen.min() >= 0:
            whole = pa.array(fen // 100).cast(pa.string())
            cents = _fixed_strings(_TWO_DIGITS[fen % 100].view(np.uint8).reshape(len(fen), 2))
            return pc.binary_join_element_wise(whole, cents, ".")
        out = self._project(
            {"f": fen},
            "(f // 100)::varchar || '.' || lpad((f % 100)::varchar, 2, '0') as t",
        )
        return out.column("t").combine_chunks()

    # --- tables -----------------------------------------------------------------
    def table(self, key: str, columns: dict[str, pa.Array]) -> pa.Table:
        schema = arrow_schema(TABLES_BY_KEY[key])
        if list(columns) != schema.names:
            raise AssertionError(
                f"{key}: columns {list(columns)} differ from the contract {schema.names}"
            )
        arrays = [pa.array(columns[f.name]).cast(f.type) for f in schema]
        return pa.Table.from_arrays(arrays, schema=schema)

    def note_events(self, c: Columns) -> pa.Table:
        w = self.w
        return self.table(
            "xhs/note_events",
            {
                "event_id": rand.hex_ids("ev_", c["id"]),
                "note_id": _take(w.note_ids, c["note"]),
                "user_key": self.hashes("xhs", c["user"]),
                "event_type": _vocab(EVENT_TYPES, c["type"]),
                "event_ms": pa.array(c["ms"], pa.int64()),
            },
        )

    def tb_visits(self, c: Columns) -> pa.Table:
        return self.table(
            "tb/visits",
            {
                "visit_id": rand.hex_ids("tv_", c["id"]),
                "shop_id": _take(self.w.tb_shop_ids, c["shop"]),
                "buyer_key": self.hashes("taobao", c["buyer"]),
                "visit_at": self.iso_text(c["ms"], c["utc"]),
                "channel": _vocab(TB_CHANNELS, c["channel"]),
                "ref_note_id": _take(self.w.note_ids, c["ref_note"]),
            },
        )

    def tb_searches(self, c: Columns) -> pa.Table:
        return self.table(
            "tb/searches",
            {
                "search_id": rand.hex_ids("tq_", c["id"]),
                "buyer_key": self.hashes("taobao", c["buyer"]),
                "query": query_text(self.w, c["brand"], c["industry"], c["noun"], c["modifier"]),
                "searched_at": self.iso_text(c["ms"], c["utc"]),
            },
        )

    def tb_orders(self, c: Columns) -> pa.Table:
        w = self.w
        return self.table(
            "tb/orders",
            {
                "order_id": rand.decimal_ids(c["id"]),
                "buyer_key": self.hashes("taobao", c["buyer"]),
                "shop_id": _take(w.tb_shop_ids, c["shop"]),
                "item_id": _take(w.tb_item_ids, c["item"]),
                "quantity": pa.array(c["quantity"].astype(np.int32)),
                "pay_fen": pa.array(c["pay"], pa.int64()),
                "discount_fen": pa.array(c["discount"], pa.int64()),
                "is_presale": pa.array(c["presale"], pa.bool_()),
                "status": _vocab(TB_ORDER_STATUSES, c["status"]),
                "paid_at": self.iso_text(c["ms"], c["utc"]),
            },
        )

    def jd_orders(self, c: Columns) -> pa.Table:
        w = self.w
        return self.table(
            "jd/orders",
            {
                "orderId": rand.decimal_ids(c["id"]),
                "pinHash": self.hashes("jd", c["buyer"]),
                "venderId": _take(w.jd_vender_ids, c["shop"]),
                "skuId": _take(w.jd_sku_ids, c["sku"]),
                "spuId": _take(w.spu_ids, c["spu"]),
                "amount": self.yuan_text(c["amount_fen"]),
                "orderTime": pa.array(c["ms"] // 1000, pa.int64()),
                "orderState": pa.array((c["status"] + 1).astype(np.int32)),
                "sourceNoteId": _take(w.note_ids, c["source_note"]),
            },
        )

    def accounts(self) -> pa.Table:
        w = self.w
        industry = np.full(len(w.account_type), -1, dtype=np.int64)
        industry[: w.n_brands] = w.brand_industry[: w.n_brands]
        return self.table(
            "xhs/accounts",
            {
                "account_id": w.account_ids,
                "account_type": _vocab(ACCOUNT_TYPES, w.account_type),
                "nickname": w.account_nickname,
                "industry": _take(pa.array(INDUSTRIES, pa.string()), industry),
                "follower_count": pa.array(w.account_followers.astype(np.int32)),
                "created_at": self.local_text(w.account_created_ms),
            },
        )

    def notes(self) -> pa.Table:
        w = self.w
        return self.table(
            "xhs/notes",
            {
                "note_id": w.note_ids,
                "author_account_id": _take(w.account_ids, w.note_author),
                "brand_account_id": _take(w.account_ids, w.note_brand),
                "note_kind": _vocab(("organic", "ad"), w.note_is_ad.astype(np.int64)),
                "industry": _take(pa.array(INDUSTRIES, pa.string()), w.note_industry),
                "spu_id": _take(w.spu_ids, w.note_spu),
                "link_platform": _take(pa.array(LINK_PLATFORMS, pa.string()), w.note_link),
                "link_item_id": w.note_link_item,
                "published_at": self.local_text(w.note_published_ms),
            },
        )

    def ad_spend(self, c: Columns) -> pa.Table:
        w = self.w
        return self.table(
            "xhs/ad_spend_daily",
            {
                "spend_date": days_to_date(c["day"]),
                "campaign_id": rand.hex_ids("xc_", c["campaign"]),
                "note_id": _take(w.note_ids, c["note"]),
                "brand_account_id": _take(w.account_ids, c["brand"]),
                "boost_type": _vocab(BOOST_TYPES, c["boost"]),
                "is_joint": pa.array(c["joint"], pa.bool_()),
                "spend_cny": cents_to_decimal(c["cents"]),
            },
        )

    def shop_orders(self, c: Columns) -> pa.Table:
        w = self.w
        return self.table(
            "xhs/shop_orders",
            {
                "order_id": rand.hex_ids("xo_", c["id"]),
                "user_key": self.hashes("xhs", c["user"]),
                "seller_account_id": _take(w.account_ids, c["seller"]),
                "note_id": _take(w.note_ids, c["note"]),
                "gmv_cny": cents_to_decimal(c["gmv_cents"]),
                "ordered_at": self.local_text(c["ms"]),
            },
        )

    def tb_shops(self) -> pa.Table:
        w = self.w
        brand = pa.array(w.brand_name, pa.string()).take(pa.array(w.tb_shop_brand))
        suffix = _vocab(names.SHOP_SUFFIXES_TB, w.tb_shop_suffix)
        return self.table(
            "tb/shops",
            {
                "shop_id": w.tb_shop_ids,
                "shop_name": pc.binary_join_element_wise(brand, suffix, ""),
                "brand_name": brand,
                "industry": _vocab(INDUSTRIES, w.brand_industry[w.tb_shop_brand]),
                "is_tmall": pa.array(w.tb_shop_is_tmall, pa.bool_()),
            },
        )

    def tb_items(self) -> pa.Table:
        w = self.w
        spu = w.tb_item_spu
        brand = pa.array(w.brand_name, pa.string()).take(pa.array(w.spu_brand[spu]))
        flat_nouns = [x for group in names.PRODUCT_NOUNS for x in group]
        offsets = np.cumsum([0] + [len(g) for g in names.PRODUCT_NOUNS])[:-1]
        noun = _vocab(flat_nouns, offsets[w.brand_industry[w.spu_brand[spu]]] + w.spu_noun[spu])
        variant = _vocab(names.VARIANTS, w.spu_variant[spu])
        return self.table(
            "tb/items",
            {
                "item_id": w.tb_item_ids,
                "shop_id": _take(w.tb_shop_ids, w.tb_item_shop),
                "spu_id": _take(w.spu_ids, spu),
                "title": pc.binary_join_element_wise(brand, noun, variant, " "),
                "price_fen": pa.array(w.spu_price_fen[spu], pa.int64()),
            },
        )

    def jd_shops(self) -> pa.Table:
        w = self.w
        brand = pa.array(w.brand_name, pa.string()).take(pa.array(w.jd_shop_brand))
        return self.table(
            "jd/shops",
            {
                "venderId": w.jd_vender_ids,
                "shopName": pc.binary_join_element_wise(
                    brand, _vocab(names.SHOP_SUFFIX_JD, w.jd_shop_suffix), ""
                ),
                "brandName": brand,
                "industry": _vocab(INDUSTRIES, w.brand_industry[w.jd_shop_brand]),
            },
        )

    def tri_party(self) -> pa.Table:
        w = self.w
        t = w.tri_party
        b = t["brand"]
        return self.table(
            "shared/tri_party_accounts",
            {
                "tri_account_id": rand.hex_ids("tp_", t["tri_account"]),
                "brand_name": pa.array(w.brand_name, pa.string()).take(pa.array(b)),
                "xhs_brand_account_id": _take(w.account_ids, b),
                "tb_shop_id": _take(w.tb_shop_ids, np.where(t["has_tb"], w.brand_tb_shop[b], -1)),
                "jd_vender_id": _take(
                    w.jd_vender_ids, np.where(t["has_jd"], w.brand_jd_shop[b], -1)
                ),
                "valid_from": days_to_date(t["valid_from"]),
                "valid_to": pc.if_else(
                    pa.array(t["valid_to"] < 0),
                    pa.scalar(None, pa.date32()),
                    days_to_date(np.maximum(t["valid_to"], 0)),
                ),
            },
        )

    def user_matches(self, rows: slice) -> pa.Table:
        m = {k: v[rows] for k, v in self.w.matches.items()}
        tb = m["platform"] == 0
        platform_key = pc.if_else(
            pa.array(tb), self.hashes("taobao", m["buyer"]), self.hashes("jd", m["buyer"])
        )
        return self.table(
            "shared/user_matches",
            {
                "xhs_user_key": self.hashes("xhs", m["user"]),
                "platform": _vocab(MATCH_PLATFORMS, m["platform"]),
                "platform_user_key": platform_key,
                "match_method": _vocab(MATCH_METHODS, m["method"]),
                "confidence": pa.array(m["confidence"], pa.float64()),
                "matched_at": self.iso_text(m["matched_ms"]),
            },
        )

    def truth(self, c: Columns) -> pa.Table:
        w = self.w
        return pa.Table.from_arrays(
            [
                _vocab(MATCH_PLATFORMS, c["platform"]),
                rand.decimal_ids(c["id"]),
                _take(w.note_ids, c["note"]),
                self.hashes("xhs", c["user"]),
                _vocab(PATHS, c["path"]),
            ],
            schema=TRUTH_SCHEMA,
        )


class RawWriter:
    """Writes contract tables into a raw directory.

    Parquet tables are appended chunk by chunk; each file is compressed in a
    background thread of its own (first in, first out, so files are the same
    whatever the timing) while the next chunk is simulated. Rendering can be
    deferred too (`defer`): deferred jobs run one after another in one more
    thread, in the order they came. Every queue is bounded, so at most a few
    chunks wait in memory."""

    def __init__(self, out: Path, con: duckdb.DuckDBPyConnection, queue_size: int = 2) -> None:
        self.out = out
        self.con = con
        self.rows: dict[str, int] = {}
        self._queue_size = queue_size
        self._parquet: dict[str, pq.ParquetWriter] = {}
        self._queues: dict[str, queue.Queue[pa.Table | None]] = {}
        self._threads: list[threading.Thread] = []
        self._error: BaseException | None = None
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=queue_size)
        self._job_thread: threading.Thread | None = None

    def defer(self, job: Callable[[], None]) -> None:
        """Run `job` (rendering tables and appending them) in the background,
        after every job deferred before it."""
        if self._error is not None:
            raise self._error
        if self._job_thread is None:
            self._job_thread = threading.Thread(
                target=self._run_jobs, name="redcat-render", daemon=True
            )
            self._job_thread.start()
        self._jobs.put(job)

    def _run_jobs(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                if self._error is None:
                    job()
            except BaseException as exc:  # re-raised in the caller's thread
                self._error = exc
            finally:
                self._jobs.task_done()
        self._jobs.task_done()

    def settle(self) -> None:
        """Wait until every deferred job has run (raises a job's error)."""
        self._jobs.join()
        if self._error is not None:
            raise self._error

    def _drain(self, key: str, jobs: queue.Queue[pa.Table | None]) -> None:
        while (table := jobs.get()) is not None:
            if self._error is not None:
                continue
            try:
                if key not in self._parquet:
                    spec = TABLES_BY_KEY[key]
                    path = spec.path(self.out)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    self._parquet[key] = pq.ParquetWriter(
                        path, arrow_schema(spec), **PARQUET_OPTIONS
                    )
                if table.num_rows:
                    self._parquet[key].write_table(table, row_group_size=ROW_GROUP_SIZE)
            except BaseException as exc:  # re-raised in the caller's thread
                self._error = exc

    def append(self, key: str, table: pa.Table) -> None:
        spec = TABLES_BY_KEY[key]
        if spec.usual_format != "parquet":
            raise ValueError(f"{key} is written whole, not appended")
        if self._error is not None:
            raise self._error
        self.rows[key] = self.rows.get(key, 0) + table.num_rows
        jobs = self._queues.get(key)
        if jobs is None:
            jobs = self._queues[key] = queue.Queue(maxsize=self._queue_size)
            thread = threading.Thread(
                target=self._drain,
                args=(key, jobs),
                name=f"redcat-parquet-writer-{key}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        jobs.put(table)

    def write(self, key: str, table: pa.Table) -> None:
        spec = TABLES_BY_KEY[key]
        if spec.usual_format == "parquet":
            self.append(key, table)
            return
        path = spec.path(self.out)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_csv(self.con, table, path)
        self.rows[key] = table.num_rows

    def close(self) -> None:
        """Finish every deferred job and queued write and close the files
        (raises a job's or a writer's error)."""
        if self._job_thread is not None:
            self._jobs.put(None)
            self._job_thread.join()
            self._job_thread = None
        for jobs in self._queues.values():
            jobs.put(None)
        for thread in self._threads:
            thread.join()
        self._queues.clear()
        self._threads.clear()
        for writer in self._parquet.values():
            writer.close()
        self._parquet.clear()
        if self._error is not None:
            raise self._error


def write_csv(con: duckdb.DuckDBPyConnection, table: pa.Table, path: Path) -> None:
    """RFC 4180 CSV: header row, comma, quotes only where needed, empty = NULL."""
    con.register("csv_src", table)
    try:
        target = str(path).replace("'", "''")
        con.execute(
            f"copy (select * from csv_src) to '{target}' (format csv, header true, delimiter ',')"
        )
    finally:
        con.unregister("csv_src")


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=ROW_GROUP_SIZE, **PARQUET_OPTIONS)
