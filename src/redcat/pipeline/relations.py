"""What the warehouse holds: relations per schema and their row counts (short read-only reads)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from redcat.load import quote_ident
from redcat.warehouse import connect

# Schemas in the order a reader meets them.
SCHEMA_ORDER = ("marts", "intermediate", "staging", "raw", "raw_sample")


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


def row_counts(db_path: Path, relations: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Rows in each existing `(schema, name)` relation, on one read-only connection."""
    wanted = list(dict.fromkeys(relations))
    if not wanted or not Path(db_path).exists():
        return {}
    counts: dict[tuple[str, str], int] = {}
    with connect(db_path, read_only=True) as con:
        existing = {
            (schema, name)
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_catalog = current_database()"
            ).fetchall()
        }
        for schema, name in wanted:
            if (schema, name) not in existing:
                continue
            row = con.execute(
                f"select count(*) from {quote_ident(schema)}.{quote_ident(name)}"
            ).fetchone()
            counts[(schema, name)] = int(row[0]) if row else 0
    return counts
