"""The raw source contract (docs: SOURCES.md) as data.

One place says which tables a raw directory holds, which columns each table
has and what type each column is delivered as. The generator writes it, the
loader checks it, the seed exporter and the dbt seed YAML follow it, and the
tests compare all three against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Logical types, as SOURCES.md names them, and the DuckDB type a value of that
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


def _cols(*spec: tuple[str, str] | tuple[str, str, bool]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in spec)


N = True  # marks a nullable column in the specs below

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "xhs",
        "accounts",
        _cols(
            ("account_id", "text"),
            ("account_type", "text"),
            ("nickname", "text"),
            ("industry", "text", N),
            ("follower_count", "integer"),
            ("created_at", "text"),
        ),
        "csv",
    ),
    RawTable(
        "xhs",
        "notes",
        _cols(
            ("note_id", "text"),
            ("author_account_id", "text"),
            ("brand_account_id", "text", N),
            ("note_kind", "text"),
            ("industry", "text", N),
            ("spu_id", "text", N),
            ("link_platform", "text", N),
            ("link_item_id", "text", N),
            ("published_at", "text"),
        ),
        "csv",
    ),
    RawTable(
        "xhs",
        "note_events",
        _cols(
            ("event_id", "text"),
            ("note_id", "text"),
            ("user_key", "text"),
            ("event_type", "text"),
            ("event_ms", "bigint"),
        ),
        "parquet",
    ),
    RawTable(
        "xhs",
        "ad_spend_daily",
        _cols(
            ("spend_date", "date"),
            ("campaign_id", "text"),
            ("note_id", "text"),
            ("brand_account_id", "text"),
            ("boost_type", "text"),
            ("is_joint", "boolean"),
            ("spend_cny", "decimal"),
        ),
        "csv",
    ),
    RawTable(
        "xhs",
        "shop_orders",
        _cols(
            ("order_id", "text"),
            ("user_key", "text"),
            ("seller_account_id", "text"),
            ("note_id", "text", N),
            ("gmv_cny", "decimal"),
            ("ordered_at", "text"),
        ),
        "csv",
    ),
    RawTable(
        "tb",
        "shops",
        _cols(
            ("shop_id", "text"),
            ("shop_name", "text"),
            ("brand_name", "text"),
            ("industry", "text"),
            ("is_tmall", "boolean"),
        ),
        "csv",
    ),
    RawTable(
        "tb",
        "items",
        _cols(
            ("item_id", "text"),
            ("shop_id", "text"),
            ("spu_id", "text"),
            ("title", "text"),
            ("price_fen", "bigint"),
        ),
        "csv",
    ),
    RawTable(
        "tb",
        "visits",
        _cols(
            ("visit_id", "text"),
            ("shop_id", "text"),
            ("buyer_key", "text"),
            ("visit_at", "text"),
            ("channel", "text"),
            ("ref_note_id", "text", N),
        ),
        "parquet",
    ),
    RawTable(
        "tb",
        "searches",
        _cols(
            ("search_id", "text"),
            ("buyer_key", "text"),
            ("query", "text"),
            ("searched_at", "text"),
        ),
        "parquet",
    ),
    RawTable(
        "tb",
        "orders",
        _cols(
            ("order_id", "text"),
            ("buyer_key", "text"),
            ("shop_id", "text"),
            ("item_id", "text"),
            ("quantity", "integer"),
            ("pay_fen", "bigint"),
            ("discount_fen", "bigint"),
            ("is_presale", "boolean"),
            ("status", "text"),
            ("paid_at", "text"),
        ),
        "parquet",
    ),
    RawTable(
        "jd",
        "shops",
        _cols(
            ("venderId", "text"),
            ("shopName", "text"),
            ("brandName", "text"),
            ("industry", "text"),
        ),
        "csv",
    ),
    RawTable(
        "jd",
        "orders",
        _cols(
            ("orderId", "text"),
            ("pinHash", "text"),
            ("venderId", "text"),
            ("skuId", "text"),
            ("spuId", "text"),
            ("amount", "text"),
            ("orderTime", "bigint"),
            ("orderState", "integer"),
            ("sourceNoteId", "text", N),
        ),
        "parquet",
    ),
    RawTable(
        "shared",
        "tri_party_accounts",
        _cols(
            ("tri_account_id", "text"),
            ("brand_name", "text"),
            ("xhs_brand_account_id", "text"),
            ("tb_shop_id", "text", N),
            ("jd_vender_id", "text", N),
            ("valid_from", "date"),
            ("valid_to", "date", N),
        ),
        "csv",
    ),
    RawTable(
        "shared",
        "user_matches",
        _cols(
            ("xhs_user_key", "text"),
            ("platform", "text"),
            ("platform_user_key", "text"),
            ("match_method", "text"),
            ("confidence", "double"),
            ("matched_at", "text"),
        ),
        "parquet",
    ),
)

TABLES_BY_KEY: dict[str, RawTable] = {t.key: t for t in RAW_TABLES}

# Enumerations the contract fixes (the staging layer quarantines anything else).
INDUSTRIES = ("beauty", "sports", "apparel", "home", "digital", "food")
ACCOUNT_TYPES = ("brand", "creator", "buyer")
NOTE_KINDS = ("organic", "ad")
LINK_PLATFORMS = ("taobao", "jd", "xhs_shop")
EVENT_TYPES = ("impression", "read", "like", "save", "comment", "share", "follow", "link_click")
BOOST_TYPES = ("heat", "feed", "search")
TB_CHANNELS = ("xhs_ad_link", "search", "home_feed", "live", "other")
TB_ORDER_STATUSES = ("paid", "shipped", "completed", "refunded", "cancelled")
JD_ORDER_STATES = {1: "paid", 2: "shipped", 3: "completed", 4: "refunded", 5: "cancelled"}
MATCH_PLATFORMS = ("taobao", "jd")
MATCH_METHODS = ("phone_hash", "device", "login")
