"""The publication after a partition run: only the changed days of a daily mart are
written again, into a copy of the previous publication.

The warehouse here is a small DuckDB file with a `marts` schema made by hand: a
daily mart, a mart without days, their descriptions. Each test publishes it,
changes it as a build would, publishes again and compares the publication with
the warehouse row for row.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import bi_docs
import duckdb
import pytest

from redcat.publish import publish_marts

DAYS = {"fct_daily": "event_date"}


def sql(db_path: Path, *statements: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db_path)) as con:
        rows: list[tuple[object, ...]] = []
        for statement in statements:
            result = con.execute(statement)
            rows = result.fetchall() if result.description else []
        return rows


def rows_of(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of schema marts, sorted, per table."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        return {name: sorted(con.execute(f"from marts.{name}").fetchall()) for name in names}


def comments_of(db_path: Path) -> dict[str, str | None]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {
            f"{table}.{column}": comment
            for table, column, comment in con.execute(
                "select table_name, column_name, comment from duckdb_columns() "
                "where schema_name = 'marts' order by 1, 2"
            ).fetchall()
        }


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    db_path = tmp_path / "warehouse.duckdb"
    sql(
        db_path,
        "create schema marts",
        "create table marts.fct_daily as "
        "select date '2025-06-01' + cast(i % 30 as integer) as event_date, "
        "'n' || (i % 7) as note_id, i as reads, cast(i as decimal(18, 2)) / 4 as gmv_cny "
        "from range(3000) as t(i)",
        "create table marts.dim_notes as select 'n' || i as note_id, i as rank from range(7) t(i)",
        "comment on column marts.fct_daily.reads is 'reads that day'",
        "comment on column marts.fct_daily.gmv_cny is 'GMV in yuan'",
    )
    return db_path


def test_a_partition_run_rewrites_only_the_days_that_changed(
    warehouse: Path, tmp_path: Path
) -> None:
    published = tmp_path / "published"
    first = publish_marts(warehouse, published)
    assert first.days_rewritten == {}  # no day columns: every relation copied whole
    assert rows_of(first.database) == rows_of(warehouse)

    unchanged = publish_marts(warehouse, published, day_columns=DAYS)
    assert unchanged.days_rewritten == {"fct_daily": 0}
    assert rows_of(unchanged.database) == rows_of(warehouse)

    # what a partition run does: one day's values change, one day loses a row, a new
    # day arrives, one day disappears; the mart without days changes whole
    sql(
        warehouse,
        "update marts.fct_daily set reads = reads + 1 where event_date = '2025-06-28'",
        "delete from marts.fct_daily where event_date = '2025-06-29' and reads = 28",
        "insert into marts.fct_daily values ('2025-07-01', 'n1', 1, 0.25), "
        "('2025-07-01', 'n2', 2, 0.50)",
        "delete from marts.fct_daily where event_date = '2025-06-01'",
        "update marts.dim_notes set rank = rank * 10",
        "comment on column marts.fct_daily.reads is 'reads on the day'",
        "comment on column marts.fct_daily.gmv_cny is null",
        "create table marts.mart_new as select 1 as one",
    )
    second = publish_marts(warehouse, published, day_columns=DAYS)

    # 2025-06-28, 2025-06-29, 2025-07-01 and the vanished 2025-06-01
    assert second.days_rewritten == {"fct_daily": 4}
    assert rows_of(second.database) == rows_of(warehouse)
    assert second.rows_per_relation == {"dim_notes": 7, "fct_daily": 2901, "mart_new": 1}
    assert comments_of(second.database) == comments_of(warehouse)
    assert comments_of(second.database)["fct_daily.reads"] == "reads on the day"

    # a mart dropped from the warehouse leaves the publication; a daily mart whose
    # columns changed is copied whole
    sql(
        warehouse,
        "drop table marts.mart_new",
        "alter table marts.fct_daily add column likes integer default 3",
    )
    third = publish_marts(warehouse, published, day_columns=DAYS)
    assert third.days_rewritten == {}
    assert rows_of(third.database) == rows_of(warehouse)
    assert set(rows_of(third.database)) == {"dim_notes", "fct_daily"}
    with duckdb.connect(str(third.database), read_only=True) as con:
        parquet = third.parquet_dir / "fct_daily.parquet"
        assert con.execute(f"select count(*), sum(likes) from '{parquet}'").fetchone() == (
            2901,
            8703,
        )
    # the copy of the previous publication keeps the v1.0.0 storage format (64)
    assert int.from_bytes(third.database.read_bytes()[12:20], "little") == 64


@pytest.mark.slow
def test_the_oldest_client_reads_a_publication_updated_by_day(
    warehouse: Path, tmp_path: Path
) -> None:
    published = tmp_path / "published"
    publish_marts(warehouse, published)
    sql(warehouse, "update marts.fct_daily set reads = -reads where event_date >= '2025-06-25'")
    publication = publish_marts(warehouse, published, day_columns=DAYS)
    assert publication.days_rewritten == {"fct_daily": 6}

    python = bi_docs.client_python(bi_docs.OLDEST_DUCKDB)
    query = "select count(*), sum(reads), sum(gmv_cny) from marts.fct_daily"
    old = subprocess.run(
        [
            str(python),
            "-c",
            "import json, sys, duckdb; con = duckdb.connect(sys.argv[1], read_only=True); "
            "print(json.dumps([duckdb.__version__, [str(v) for v in "
            "con.execute(sys.argv[2]).fetchone()]]))",
            str(publication.database),
            query,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    version, answer = json.loads(old.stdout)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = [str(v) for v in con.execute(query).fetchone() or ()]
    assert version == bi_docs.OLDEST_DUCKDB
    assert answer == expected
