"""Hostile input to `redcat load`: paths that look like patterns, files a table folder
must not skip, broken CSV, other encodings, duplicate headers, and the one-line
message (and exit status) each of them ends the command with.

Every rejected directory leaves the previous load as it was; every message
names the table, the file and, where there is one, the line.
"""

from __future__ import annotations

import gzip
import logging
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rawdirs import table, table_rows, write_csv, write_raw_dir

from redcat.cli import main
from redcat.contract import RAW_TABLES
from redcat.errors import ExitStatus
from redcat.load import RawInputError, load_raw_dir

ACCOUNTS = table("xhs/accounts")
ORDERS = table("tb/orders")


def query(db_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def order_ids(db_path: Path) -> list[str]:
    return [r[0] for r in query(db_path, "select order_id from raw.tb__orders order by 1")]


@pytest.fixture
def previous_load(tmp_path: Path, db_path: Path) -> Path:
    """A warehouse holding a good load of 3 rows per table."""
    write_raw_dir(tmp_path / "previous", 3)
    load_raw_dir(tmp_path / "previous", db_path)
    return db_path


def assert_previous_load_intact(db_path: Path) -> None:
    for t in RAW_TABLES:
        assert query(db_path, f"select count(*) from raw.{t.relation}") == [(3,)], t.key
    assert query(db_path, "select count(distinct loaded_at) from raw._loads") == [(1,)]


def rejected(raw: Path, capsys: pytest.CaptureFixture[str], *options: str) -> str:
    """`redcat load` of `raw`: asserts exit status 2 and one line on stderr; returns it."""
    assert main(["load", str(raw), *options]) == ExitStatus.INPUT_REJECTED
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    prefix = (
        "redcat load: raw directory rejected (raw contract: docs/sources.md), nothing was loaded: "
    )
    assert err.startswith(prefix), err
    return err.removeprefix(prefix).rstrip("\n")


# --- files are files ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "neighbour"),
    [("raw[1]", "raw1"), ("raw?", "rawX"), ("raw*", "raw-other"), ("r{a,b}", "ra")],
)
def test_a_directory_named_like_a_pattern_is_read_as_named(
    tmp_path: Path, db_path: Path, name: str, neighbour: str
):
    # the neighbour matches the name read as a glob pattern, and holds other rows
    write_raw_dir(tmp_path / name, 3, formats={"tb/orders": "folder"})
    write_raw_dir(tmp_path / neighbour, 5, offset=50, formats={"tb/orders": "folder"})

    report = load_raw_dir(tmp_path / name, db_path)

    assert report.rows_per_table == {t.relation: 3 for t in RAW_TABLES}
    assert order_ids(db_path) == ["to_0000000", "to_0000001", "to_0000002"]


def orders_folder(tmp_path: Path) -> tuple[Path, Path, list[dict[str, object]]]:
    """A raw directory whose tb/orders is an empty folder: (raw dir, folder, 9 order rows)."""
    raw = tmp_path / "raw"
    write_raw_dir(raw, 3)
    (raw / "tb" / "orders.parquet").unlink()
    return raw, raw / "tb" / "orders", table_rows(ORDERS, 9)


def assert_nine_orders_from_three_files(raw: Path, db_path: Path) -> None:
    report = load_raw_dir(raw, db_path)

    assert report.files_per_table["tb__orders"] == 3
    assert report.rows_per_table["tb__orders"] == 9
    assert order_ids(db_path) == [f"to_{i:07d}" for i in range(9)]


def test_files_named_like_patterns_are_each_read_once(tmp_path: Path, db_path: Path):
    raw, folder, rows = orders_folder(tmp_path)
    for number, name in enumerate(["day[1].csv", "day1.csv", "day*.csv"]):
        write_csv(folder / name, ORDERS.column_names, rows[3 * number : 3 * number + 3])

    assert_nine_orders_from_three_files(raw, db_path)


def test_a_folder_of_csv_csv_gz_and_parquet_reads_every_file(tmp_path: Path, db_path: Path):
    raw, folder, rows = orders_folder(tmp_path)
    write_csv(folder / "part-0.csv", ORDERS.column_names, rows[:3])
    plain = write_csv(tmp_path / "part-1.csv", ORDERS.column_names, rows[3:6])
    (folder / "PART-1.CSV.GZ").write_bytes(gzip.compress(plain.read_bytes()))
    pq.write_table(
        pa.Table.from_pylist(rows[6:]).cast(pa.schema([(c, pa.string()) for c in rows[0]])),
        folder / "part-2.parquet",
    )

    assert_nine_orders_from_three_files(raw, db_path)


def test_a_table_may_come_as_one_csv_gz_file(tmp_path: Path, db_path: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 4)
    accounts = raw / "xhs" / "accounts.csv"
    (raw / "xhs" / "accounts.csv.gz").write_bytes(gzip.compress(accounts.read_bytes()))
    accounts.unlink()

    report = load_raw_dir(raw, db_path)

    assert report.rows_per_table["xhs__accounts"] == 4
    assert query(db_path, "select nickname from raw.xhs__accounts order by account_id")[1] == (
        '小红 1, "the 1th"',
    )


@pytest.mark.parametrize("name", ["part-2.json", "part-2.csv.bak", "notes.txt", "part-2.gz"])
def test_a_file_a_table_folder_cannot_read_rejects_the_directory(
    tmp_path: Path, previous_load: Path, capsys: pytest.CaptureFixture[str], name: str
):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 5, offset=100, formats={"tb/orders": "folder"})
    stray = raw / "tb" / "orders" / name
    stray.write_text("order_id\nto_9\n")

    problem = rejected(raw, capsys)

    assert problem == (
        f"table tb/orders: file {stray.resolve()} is not a .csv, .csv.gz or .parquet file; "
        "remove it, or prefix its name with _ to skip it"
    )
    assert_previous_load_intact(previous_load)


def test_a_table_in_a_format_the_loader_does_not_read_is_missing_with_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 2)
    items = raw / "tb" / "items.csv"
    items.rename(raw / "tb" / "items.xlsx")

    problem = rejected(raw, capsys)

    stem = raw.resolve() / "tb" / "items"
    assert problem == (
        f"table tb/items: missing; expected {stem}.csv, {stem}.csv.gz, {stem}.parquet or a "
        f"folder {stem}/ of such files (found items.xlsx; the name must be one of these)"
    )


def test_a_subfolder_of_a_table_folder_rejects_the_directory(
    tmp_path: Path, previous_load: Path, capsys: pytest.CaptureFixture[str]
):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 5, offset=100, formats={"tb/orders": "folder"})
    (raw / "tb" / "orders" / "2025-06").mkdir()

    problem = rejected(raw, capsys)

    assert problem == (
        f"table tb/orders: folder {(raw / 'tb' / 'orders').resolve()} holds a subfolder "
        "2025-06/; only .csv, .csv.gz or .parquet files are read (prefix its name with _ to "
        "skip it)"
    )
    assert_previous_load_intact(previous_load)


def test_a_file_beside_the_tables_is_named_in_a_warning(
    tmp_path: Path, db_path: Path, caplog: pytest.LogCaptureFixture
):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 2)
    (raw / "tb" / "orders_2.csv").write_text("order_id\n")

    with caplog.at_level(logging.WARNING, logger="redcat.load"):
        report = load_raw_dir(raw, db_path)

    stray = (raw / "tb" / "orders_2.csv").resolve()
    message = f"{stray} is not a table of the raw contract and is ignored"
    assert report.warnings == (message,)
    assert caplog.messages == [message]


# --- a table with no rows -------------------------------------------------------------


def test_a_header_only_table_is_loaded_empty_with_a_warning_naming_it(
    tmp_path: Path, previous_load: Path, caplog: pytest.LogCaptureFixture
):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 4, offset=100)
    (raw / "tb" / "orders.parquet").unlink()
    header_only = write_csv(raw / "tb" / "orders.csv", ORDERS.column_names, [])

    with caplog.at_level(logging.WARNING, logger="redcat.load"):
        report = load_raw_dir(raw, previous_load)

    message = (
        f"table tb/orders: no rows delivered (header only: {header_only.resolve()}); "
        "raw.tb__orders now holds 0 rows; the previous load held 3"
    )
    assert report.warnings == (message,)
    assert caplog.messages == [message]
    assert report.empty_tables == ("tb__orders",)
    assert report.rows_per_table == {
        t.relation: 0 if t.key == "tb/orders" else 4 for t in RAW_TABLES
    }
    assert query(
        previous_load,
        "select row_count from raw._loads where relation = 'tb__orders' order by loaded_at",
    ) == [(3,), (0,)]


def test_a_header_only_file_beside_others_loses_no_row_and_warns_nothing(
    tmp_path: Path, db_path: Path
):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 4, formats={"tb/orders": "folder"})
    write_csv(raw / "tb" / "orders" / "part-9.csv", ORDERS.column_names, [])

    report = load_raw_dir(raw, db_path)

    assert report.files_per_table["tb__orders"] == 3
    assert report.rows_per_table["tb__orders"] == 4
    assert report.warnings == ()
    assert report.empty_tables == ()


# --- CSV that does not parse: file and line -----------------------------------------------


def accounts_with(raw: Path, lines: list[bytes]) -> Path:
    """`xhs/accounts.csv` as the header and these lines (bytes, as delivered)."""
    path = raw / "xhs" / "accounts.csv"
    header = ",".join(ACCOUNTS.column_names).encode()
    path.write_bytes(b"\n".join([header, *lines]) + b"\n")
    return path.resolve()


GOOD_ACCOUNT = b"xa_1,brand,plain,beauty,10,2024-03-01 08:00:00"


@pytest.mark.parametrize(
    ("line", "what"),
    [
        (
            b'xa_2,creator,"never closed,,,2024-03-01 08:00:00',
            "a quoted value never ends (unterminated quote)",
        ),
        (b"xa_2,creator,x,beauty,10,2024-03-01 08:00:00,extra", "more fields than the header's 6"),
        (b"xa_2,creator,x,beauty", "4 fields where the header has 6"),
        (
            b"xa_2,creator," + b"x" * 2_100_000 + b",beauty,10,2024-03-01 08:00:00",
            "2,100,043 bytes long, over the 2,000,000 bytes a line may have; no value of the "
            "raw contract is that long",
        ),
    ],
    ids=["unterminated-quote", "too-many-fields", "too-few-fields", "over-long-line"],
)
def test_a_csv_parse_error_names_the_file_and_the_line(
    tmp_path: Path, previous_load: Path, capsys: pytest.CaptureFixture[str], line: bytes, what: str
):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 5, offset=100)
    path = accounts_with(raw, [GOOD_ACCOUNT, GOOD_ACCOUNT.replace(b"xa_1", b"xa_3"), line])

    problem = rejected(raw, capsys)

    assert problem == f"table xhs/accounts: file {path}, line 4: {what}"
    assert_previous_load_intact(previous_load)


def test_a_header_naming_a_column_twice_rejects_the_directory(
    tmp_path: Path, previous_load: Path, capsys: pytest.CaptureFixture[str]
):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 5, offset=100)
    (raw / "tb" / "orders.parquet").unlink()
    columns = [*ORDERS.column_names, "pay_fen"]
    path = write_csv(raw / "tb" / "orders.csv", columns, table_rows(ORDERS, 2))

    problem = rejected(raw, capsys)

    assert problem == (
        f"table tb/orders: file {path.resolve()}: the header names column 'pay_fen' twice, in "
        "fields 6 and 11; which copy is right cannot be known: deliver it once"
    )
    assert_previous_load_intact(previous_load)


def test_a_header_naming_a_column_twice_in_two_cases_is_a_duplicate(tmp_path: Path, db_path: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 2)
    shops = table("jd/shops")
    columns = [*shops.column_names, "venderid"]
    path = write_csv(raw / "jd" / "shops.csv", columns, table_rows(shops, 2))

    with pytest.raises(RawInputError) as caught:
        load_raw_dir(raw, db_path)

    assert caught.value.problems == [
        f"table jd/shops: file {path.resolve()}: the header names column 'venderId' twice "
        "(as 'venderId' and 'venderid'), in fields 1 and 5; which copy is right cannot be "
        "known: deliver it once"
    ]


def test_a_parquet_schema_naming_a_column_twice_rejects_the_directory(
    tmp_path: Path, db_path: Path
):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 2)
    path = raw / "tb" / "orders.parquet"
    original = pq.read_table(path)
    doubled = pa.Table.from_arrays(
        [*original.columns, original.column("pay_fen")], names=[*original.column_names, "pay_fen"]
    )
    pq.write_table(doubled, path)

    with pytest.raises(RawInputError) as caught:
        load_raw_dir(raw, db_path)

    assert caught.value.problems == [
        f"table tb/orders: file {path.resolve()}: the schema names column 'pay_fen' twice, in "
        "fields 6 and 11; which copy is right cannot be known: deliver it once"
    ]


def test_an_empty_header_field_rejects_the_directory(tmp_path: Path, db_path: Path):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 2)
    shops = table("jd/shops")
    path = write_csv(raw / "jd" / "shops.csv", ["", *shops.column_names], table_rows(shops, 2))

    with pytest.raises(RawInputError) as caught:
        load_raw_dir(raw, db_path)

    assert caught.value.problems == [
        f"table jd/shops: file {path.resolve()}: header field 1 is empty; every column needs a name"
    ]


# --- encodings -----------------------------------------------------------------------------

CHINESE_ACCOUNT = "xa_1,brand,小红书 品牌店,beauty,10,2024-03-01 08:00:00"


def test_a_non_utf8_file_names_the_file_line_and_the_expected_encoding(
    tmp_path: Path, previous_load: Path, capsys: pytest.CaptureFixture[str]
):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 5, offset=100)
    path = accounts_with(
        raw, [GOOD_ACCOUNT.replace(b"xa_1", b"xa_0"), CHINESE_ACCOUNT.encode("gb18030")]
    )

    problem = rejected(raw, capsys)

    assert problem == (
        f"table xhs/accounts: file {path}, line 3: not UTF-8, the raw contract's encoding; "
        "re-export the file as UTF-8, or name its encoding with --encoding (e.g. --encoding "
        "gb18030)"
    )
    assert_previous_load_intact(previous_load)


def reencode_csv_files(raw: Path, encoding: str) -> None:
    """Every CSV file of `raw` re-encoded from UTF-8 (a Chinese export, say)."""
    for path in raw.rglob("*.csv"):
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))


def test_encoding_gb18030_loads_a_chinese_export(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 2, "csv", formats={"tb/shops": "folder"})
    accounts_with(raw, [CHINESE_ACCOUNT.encode()])
    reencode_csv_files(raw, "gb18030")
    part = raw / "tb" / "shops" / "part-1.csv"
    (raw / "tb" / "shops" / "part-1.csv.gz").write_bytes(gzip.compress(part.read_bytes()))
    part.unlink()

    assert main(["load", str(raw), "--encoding", "GB18030"]) == ExitStatus.OK

    assert capsys.readouterr().err == ""
    assert query(db_path, "select account_id, nickname from raw.xhs__accounts") == [
        ("xa_1", "小红书 品牌店")
    ]
    assert query(db_path, "select shop_name from raw.tb__shops order by 1") == [
        ("Brand 0 旗舰店",),
        ("Brand 1 旗舰店",),
    ]


def test_bytes_invalid_in_the_given_encoding_name_the_line(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
):
    raw = tmp_path / "raw"
    write_raw_dir(raw, 2, "csv")
    reencode_csv_files(raw, "gb18030")
    # 0x81 0x20 is no gb18030 character
    path = accounts_with(raw, [GOOD_ACCOUNT, b"xa_2,brand,bad \x81\x20 name,beauty,1,2024-03-01"])

    problem = rejected(raw, capsys, "--encoding", "gb18030")

    assert problem == (
        f"table xhs/accounts: file {path}, line 3: not valid gb18030 (--encoding gb18030); "
        "check the file's encoding"
    )


def test_an_unknown_encoding_is_a_usage_error(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as caught:
        main(["load", "somewhere", "--encoding", "klingon"])

    assert caught.value.code == ExitStatus.INPUT_REJECTED
    assert "argument --encoding: unknown encoding 'klingon'" in capsys.readouterr().err


def test_encoding_of_run_needs_a_raw_dir(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as caught:
        main(["run", "--encoding", "gb18030"])

    assert caught.value.code == ExitStatus.INPUT_REJECTED
    assert "--encoding applies to the files of --raw-dir only" in capsys.readouterr().err


def test_a_copy_of_a_good_dir_under_a_pattern_name_loads_the_same(tmp_path: Path):
    """The hand-made fixture, copied under a name full of glob syntax, loads row for row."""
    from rawdirs import HANDMADE_RAW_DIR

    odd = tmp_path / "exports [2025] ?* {x}" / "raw"
    shutil.copytree(HANDMADE_RAW_DIR, odd)
    plain_db, odd_db = tmp_path / "plain.duckdb", tmp_path / "odd.duckdb"

    plain = load_raw_dir(HANDMADE_RAW_DIR, plain_db)
    copied = load_raw_dir(odd, odd_db)

    assert copied.rows_per_table == plain.rows_per_table
    assert copied.files_per_table == plain.files_per_table
