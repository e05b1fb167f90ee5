"""`redcat load`: contract checks, formats, and the all-or-nothing load."""

from __future__ import annotations

import csv
import logging
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rawdirs import (
    HANDMADE_RAW_DIR,
    arrow_table,
    csv_text,
    table,
    table_rows,
    write_csv,
    write_raw_dir,
)

from redcat.contract import RAW_TABLES, RawTable
from redcat.load import (
    RawInputError,
    clear_loaded_raw,
    load_raw_dir,
    loaded_relations,
    plan_load,
)
from redcat.warehouse import WarehouseLockedError


def query(db_path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def raw_counts(db_path: Path) -> dict[str, int]:
    return {
        t.relation: query(db_path, f"select count(*) from raw.{t.relation}")[0][0]
        for t in RAW_TABLES
    }


def raw_as_text(db_path: Path, relation: str) -> list[tuple]:
    """A raw relation's rows with every value as text, sorted: comparable across formats."""
    columns = [
        row[0]
        for row in query(
            db_path,
            "select column_name from information_schema.columns "
            f"where table_schema = 'raw' and table_name = '{relation}' order by ordinal_position",
        )
    ]
    select = ", ".join(f'cast("{c}" as varchar)' for c in columns)
    return sorted(
        query(db_path, f"select {select} from raw.{relation}"),
        key=lambda r: tuple("" if v is None else v for v in r),
    )


def expected_text(key: str, n: int, offset: int = 0) -> list[tuple]:
    rows = table_rows(table(key), n, offset)
    as_text = [tuple(None if v is None else csv_text(v) for v in row.values()) for row in rows]
    return sorted(as_text, key=lambda r: tuple("" if v is None else v for v in r))


def column_types(db_path: Path, relation: str) -> dict[str, str]:
    return dict(
        query(
            db_path,
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = 'raw' and table_name = '{relation}' order by ordinal_position",
        )
    )


@pytest.fixture
def previous_load(tmp_path: Path, db_path: Path) -> Path:
    """A warehouse holding a good load of 3 rows per table (ids from offset 0)."""
    raw = tmp_path / "previous"
    write_raw_dir(raw, 3)
    load_raw_dir(raw, db_path)
    return db_path


def assert_previous_load_intact(db_path: Path) -> None:
    assert raw_counts(db_path) == {t.relation: 3 for t in RAW_TABLES}
    assert query(db_path, "select min(account_id), max(account_id) from raw.xhs__accounts") == [
        ("xa_000000", "xa_000002")
    ]
    assert query(db_path, "select count(*), count(distinct loaded_at) from raw._loads") == [(14, 1)]


# --- a good load -------------------------------------------------------------


def test_load_writes_every_contract_table_and_records_the_load(tmp_path: Path, db_path: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 4)

    report = load_raw_dir(raw, db_path)

    assert report.rows_per_table == {t.relation: 4 for t in RAW_TABLES}
    assert report.total_rows == 56
    assert report.warnings == ()
    assert raw_counts(db_path) == {t.relation: 4 for t in RAW_TABLES}
    for t in RAW_TABLES:
        assert tuple(column_types(db_path, t.relation)) == t.column_names
    loads = query(
        db_path,
        "select raw_dir, relation, source_files, row_count from raw._loads order by relation",
    )
    assert loads == sorted((str(raw.resolve()), t.relation, 1, 4) for t in RAW_TABLES)
    assert loaded_relations(db_path) == [t.relation for t in RAW_TABLES]


def test_a_second_load_replaces_the_first(tmp_path: Path, previous_load: Path):
    raw = tmp_path / "second"
    write_raw_dir(raw, 2, offset=50)

    load_raw_dir(raw, previous_load)

    assert raw_counts(previous_load) == {t.relation: 2 for t in RAW_TABLES}
    assert query(previous_load, "select account_id from raw.xhs__accounts order by 1") == [
        ("xa_000050",),
        ("xa_000051",),
    ]
    assert query(previous_load, "select count(distinct loaded_at) from raw._loads") == [(2,)]


def test_csv_values_arrive_as_delivered_text(tmp_path: Path, db_path: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 3, "csv")
    accounts = raw / "xhs" / "accounts.csv"
    accounts.write_text(
        "account_id,account_type,nickname,industry,follower_count,created_at\n"
        'xa_1,brand,"comma, ""quote"" and\nnewline",beauty, 0012 ,2024-03-01 08:00:00\n'
        "#xa_2,creator,小红书 🌸,,,2024/03/01\n"
        'xa_3,buyer,"",BEAUTY,-5,"2024-03-01T08:00:00+08:00"\n',
        encoding="utf-8",
    )

    load_raw_dir(raw, db_path)

    assert set(column_types(db_path, "xhs__accounts").values()) == {"VARCHAR"}
    assert query(db_path, "select * from raw.xhs__accounts order by account_id") == [
        ("#xa_2", "creator", "小红书 🌸", None, None, "2024/03/01"),
        ("xa_1", "brand", 'comma, "quote" and\nnewline', "beauty", " 0012 ", "2024-03-01 08:00:00"),
        ("xa_3", "buyer", None, "BEAUTY", "-5", "2024-03-01T08:00:00+08:00"),
    ]


def test_csv_tables_hold_the_contract_encoding_of_every_value(tmp_path: Path, db_path: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 6, "csv")

    load_raw_dir(raw, db_path)

    for t in RAW_TABLES:
        assert set(column_types(db_path, t.relation).values()) == {"VARCHAR"}, t.key
        assert raw_as_text(db_path, t.relation) == expected_text(t.key, 6), t.key


@pytest.mark.parametrize("fmt", ["parquet", "folder", "mixed", "usual"])
def test_every_format_gives_the_same_rows_as_csv(tmp_path: Path, fmt: str):
    csv_db = tmp_path / "csv.duckdb"
    other_db = tmp_path / f"{fmt}.duckdb"
    write_raw_dir(tmp_path / "csv", 7, "csv")
    write_raw_dir(tmp_path / fmt, 7, fmt)

    load_raw_dir(tmp_path / "csv", csv_db)
    report = load_raw_dir(tmp_path / fmt, other_db)

    expected_files = 2 if fmt in ("folder", "mixed") else 1
    assert report.files_per_table == {t.relation: expected_files for t in RAW_TABLES}
    for t in RAW_TABLES:
        assert raw_as_text(other_db, t.relation) == raw_as_text(csv_db, t.relation), t.key


def test_parquet_keeps_the_contract_types(tmp_path: Path, db_path: Path):
    write_raw_dir(tmp_path / "raw", 3, "parquet")

    load_raw_dir(tmp_path / "raw", db_path)

    for t in RAW_TABLES:
        expected = {c.name: c.duckdb_type.upper() for c in t.columns}
        assert column_types(db_path, t.relation) == expected, t.key
    assert query(
        db_path, "select spend_date, spend_cny, is_joint from raw.xhs__ad_spend_daily order by 1"
    ) == [
        (date(2024, 3, 1), Decimal("10.00"), True),
        (date(2024, 3, 2), Decimal("10.25"), False),
        (date(2024, 3, 3), Decimal("10.50"), True),
    ]


def test_parquet_column_of_another_type_is_stored_as_text(tmp_path: Path, db_path: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 3)
    orders = table("tb/orders")
    typed = arrow_table(orders, table_rows(orders, 3))
    typed = typed.set_column(
        typed.schema.get_field_index("quantity"),
        "quantity",
        typed.column("quantity").cast(pa.int64()),  # contract: integer
    )
    typed = typed.set_column(
        typed.schema.get_field_index("pay_fen"),
        "pay_fen",
        pa.array(["19900", "19910", "1.9920e4"]),  # contract: bigint
    )
    pq.write_table(typed, raw / "tb" / "orders.parquet")

    load_raw_dir(raw, db_path)

    types = column_types(db_path, "tb__orders")
    assert types["quantity"] == "VARCHAR"
    assert types["pay_fen"] == "VARCHAR"
    assert types["discount_fen"] == "BIGINT"
    assert types["is_presale"] == "BOOLEAN"
    assert query(db_path, "select quantity, pay_fen from raw.tb__orders order by order_id") == [
        ("1", "19900"),
        ("2", "19910"),
        ("3", "1.9920e4"),
    ]


def test_mixed_folder_stores_disagreeing_columns_as_text(tmp_path: Path, db_path: Path):
    write_raw_dir(tmp_path / "raw", 4, "mixed")

    load_raw_dir(tmp_path / "raw", db_path)

    assert set(column_types(db_path, "tb__orders").values()) == {"VARCHAR"}
    assert query(db_path, "select pay_fen from raw.tb__orders order by order_id") == [
        ("19900",),
        ("19910",),
        ("19920",),
        ("19930",),
    ]


def test_folder_ignores_hidden_files_and_markers(tmp_path: Path, db_path: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 4, formats={"tb/shops": "folder"})
    (raw / "tb" / "shops" / "_SUCCESS").write_text("")
    (raw / "tb" / "shops" / ".part-0.csv.crc").write_text("x")

    report = load_raw_dir(raw, db_path)

    assert report.rows_per_table["tb__shops"] == 4
    assert report.files_per_table["tb__shops"] == 2


def test_extra_column_is_dropped_with_a_warning(
    tmp_path: Path, db_path: Path, caplog: pytest.LogCaptureFixture
):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 3)
    shops = table("tb/shops")
    rows = [{**r, "debug_flag": "x"} for r in table_rows(shops, 3)]
    path = write_csv(raw / "tb" / "shops.csv", [*shops.column_names, "debug_flag"], rows)

    with caplog.at_level(logging.WARNING, logger="redcat.load"):
        report = load_raw_dir(raw, db_path)

    message = f"table tb/shops: extra column 'debug_flag' in {path} is ignored"
    assert report.warnings == (message,)
    assert message in caplog.messages
    assert tuple(column_types(db_path, "tb__shops")) == shops.column_names
    assert report.rows_per_table["tb__shops"] == 3


def delivered_rows(t: RawTable, raw_dir: Path) -> list[tuple]:
    """The rows of one table as the files deliver them (CSV text; Parquet values as text)."""
    base = raw_dir / t.source
    paths = [p for p in (base / f"{t.name}.csv", base / f"{t.name}.parquet") if p.is_file()]
    paths = paths or sorted(p for p in (base / t.name).glob("*.*") if p.name[0] not in "._")
    rows: list[tuple] = []
    for path in paths:
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                records = list(csv.DictReader(handle))
            rows += [tuple(r[c] or None for c in t.column_names) for r in records]
        else:
            records = pq.read_table(path).to_pylist()
            rows += [
                tuple(None if r[c] is None else csv_text(r[c]) for c in t.column_names)
                for r in records
            ]
    return sorted(rows, key=lambda r: tuple("" if v is None else v for v in r))


def test_handmade_raw_dir_loads_every_row_as_delivered(db_path: Path):
    report = load_raw_dir(HANDMADE_RAW_DIR, db_path)

    for t in RAW_TABLES:
        expected = delivered_rows(t, HANDMADE_RAW_DIR)
        assert report.rows_per_table[t.relation] == len(expected), t.key
        assert raw_as_text(db_path, t.relation) == expected, t.key


# --- rejected directories leave the previous load intact -----------------------


def test_missing_table_is_rejected(tmp_path: Path, previous_load: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 5, offset=100)
    (raw / "tb" / "items.csv").unlink()

    with pytest.raises(RawInputError) as caught:
        load_raw_dir(raw, previous_load)

    base = raw.resolve() / "tb" / "items"
    assert caught.value.problems == [
        f"table tb/items: missing; expected {base}.csv, {base}.csv.gz, {base}.parquet or a "
        f"folder {base}/ of such files"
    ]
    assert_previous_load_intact(previous_load)


def test_missing_column_names_table_column_and_file(tmp_path: Path, previous_load: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 5, offset=100)
    orders = table("jd/orders")
    path = raw / "jd" / "orders.parquet"
    pq.write_table(arrow_table(orders, table_rows(orders, 5, 100)).drop_columns(["amount"]), path)

    with pytest.raises(RawInputError) as caught:
        load_raw_dir(raw, previous_load)

    assert caught.value.problems == [
        f"table jd/orders: required column 'amount' missing in {path.resolve()}"
    ]
    assert "jd/orders" in str(caught.value)
    assert_previous_load_intact(previous_load)


def test_column_name_in_another_case_is_missing_with_a_hint(tmp_path: Path, db_path: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 2)
    shops = table("jd/shops")
    columns = ["venderid", "shopName", "brandName", "industry"]
    rows = [dict(zip(columns, r.values(), strict=True)) for r in table_rows(shops, 2)]
    path = write_csv(raw / "jd" / "shops.csv", columns, rows)

    with pytest.raises(RawInputError) as caught:
        load_raw_dir(raw, db_path)

    assert caught.value.problems == [
        f"table jd/shops: required column 'venderId' missing in {path.resolve()} "
        "(found 'venderid'; names are case-sensitive)"
    ]


def test_unreadable_parquet_file_is_named(tmp_path: Path, previous_load: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 5, offset=100, formats={"tb/visits": "folder"})
    bad = raw / "tb" / "visits" / "part-1.parquet"
    bad.write_bytes(b"this is not parquet at all, just bytes")

    with pytest.raises(RawInputError) as caught:
        load_raw_dir(raw, previous_load)

    [problem] = caught.value.problems
    assert problem.startswith(f"table tb/visits: cannot read parquet file {bad.resolve()}: ")
    assert_previous_load_intact(previous_load)


@pytest.mark.parametrize("content", [b"", b"\n\nxa_1,brand\n", b"\xef\xbb\xbf\r\n"])
def test_empty_or_headerless_csv_is_named(tmp_path: Path, previous_load: Path, content: bytes):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 5, offset=100)
    path = raw / "xhs" / "accounts.csv"
    path.write_bytes(content)

    with pytest.raises(RawInputError) as caught:
        load_raw_dir(raw, previous_load)

    assert caught.value.problems == [
        f"table xhs/accounts: file {path.resolve()} is empty or has an empty header row"
    ]
    assert_previous_load_intact(previous_load)


def test_every_problem_is_reported_at_once(tmp_path: Path, db_path: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 2)
    (raw / "xhs" / "notes.csv").unlink()
    (raw / "shared" / "tri_party_accounts.csv").write_text("tri_account_id,brand_name\nt1,b\n")

    with pytest.raises(RawInputError) as caught:
        load_raw_dir(raw, db_path)

    problems = caught.value.problems
    assert len(problems) == 1 + 5
    assert problems[0].startswith("table xhs/notes: missing;")
    missing = ["xhs_brand_account_id", "tb_shop_id", "jd_vender_id", "valid_from", "valid_to"]
    assert [p.split("'")[1] for p in problems[1:]] == missing
    assert not db_path.exists() or loaded_relations(db_path) == []


def test_table_delivered_twice_is_rejected(tmp_path: Path, db_path: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 2)
    write_raw_dir(tmp_path / "copy", 2, "parquet")
    (tmp_path / "copy" / "tb" / "shops.parquet").rename(raw / "tb" / "shops.parquet")

    with pytest.raises(RawInputError) as caught:
        load_raw_dir(raw, db_path)

    [problem] = caught.value.problems
    assert problem.startswith("table tb/shops: delivered more than once (")
    assert "shops.csv" in problem
    assert "shops.parquet" in problem


def test_not_a_directory_is_rejected(tmp_path: Path, db_path: Path):
    with pytest.raises(RawInputError) as caught:
        load_raw_dir(tmp_path / "nowhere", db_path)

    assert caught.value.problems == [f"{(tmp_path / 'nowhere').resolve()} is not a directory"]


def test_failure_while_writing_the_14th_table_rolls_back_all_tables(
    tmp_path: Path, previous_load: Path
):
    assert RAW_TABLES[13].key == "shared/user_matches"
    raw = tmp_path / "raw"
    write_raw_dir(raw, 5, offset=100)
    # A CSV whose header and first 25,000 rows are valid: the file passes the
    # up-front check, and its broken last line fails only once the 13 other
    # tables have been written inside the load's transaction.
    matches = table("shared/user_matches")
    (raw / "shared" / "user_matches.parquet").unlink()
    path = write_csv(
        raw / "shared" / "user_matches.csv", matches.column_names, table_rows(matches, 25_000)
    )
    with path.open("a", encoding="utf-8") as handle:
        handle.write("a,b,c,d,e,f,g,h\n")
    with duckdb.connect() as con:
        plans, _ = plan_load(con, raw)
    assert [p.table.key for p in plans] == [t.key for t in RAW_TABLES]

    with pytest.raises(RawInputError) as caught:
        load_raw_dir(raw, previous_load)

    # the header is line 1: the broken line is 25,002
    assert caught.value.problems == [
        f"table shared/user_matches: file {path.resolve()}, line 25002: more fields than the "
        "header's 6"
    ]
    assert_previous_load_intact(previous_load)


# --- back to the seeds ----------------------------------------------------------


def test_clear_loaded_raw_drops_the_loaded_relations(previous_load: Path):
    dropped = clear_loaded_raw(previous_load)

    assert dropped == [t.relation for t in RAW_TABLES]
    assert loaded_relations(previous_load) == []
    assert query(
        previous_load, "select table_name from information_schema.tables where table_schema = 'raw'"
    ) == [("_loads",)]
    assert clear_loaded_raw(previous_load) == []


def test_clear_loaded_raw_without_a_warehouse_does_nothing(tmp_path: Path):
    missing = tmp_path / "none.duckdb"

    assert clear_loaded_raw(missing) == []
    assert not missing.exists()


def test_a_warehouse_held_by_another_process_is_reported(tmp_path: Path, db_path: Path):
    write_raw_dir(tmp_path / "raw", 2)
    db_path.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
            "sys.stdin.read()",
            str(db_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "ready\n"

        with pytest.raises(WarehouseLockedError) as caught:
            load_raw_dir(tmp_path / "raw", db_path)
    finally:
        holder.communicate("")

    assert str(caught.value).startswith(f"the warehouse {db_path} is in use by another process")
