"""Order-free checksums of warehouse relations, for tests that compare two states.

A relation's checksum is its row count and the sum of a hash of every row:
equal for the same rows in any order, different (but for a hash collision)
when a row is added, removed or changed.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from redcat.warehouse import connect

Checksum = tuple[int, str]


def relation_checksum(
    con: duckdb.DuckDBPyConnection, relation: str, where: str = "true"
) -> Checksum:
    """(rows, sum of row hashes) of the rows of `relation` where `where` holds."""
    row = con.execute(
        "select count(*), cast(coalesce(sum(cast(hash(t) as hugeint)), 0) as varchar) "
        f"from {relation} as t where {where}"
    ).fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


def schema_checksums(
    database: Path, schema: str, *, skip_suffixes: tuple[str, ...] = ()
) -> dict[str, Checksum]:
    """Per table of `schema` in the DuckDB file `database` (but those whose name
    ends with one of `skip_suffixes`): its checksum."""
    with connect(database, read_only=True) as con:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = ? order by 1",
                [schema],
            ).fetchall()
            if not name.endswith(skip_suffixes)
        ]
        return {name: relation_checksum(con, f'{schema}."{name}"') for name in names}
