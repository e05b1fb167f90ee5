"""The server warehouse's pieces that need no server: settings, types, the COPY stream
and the order of the gated build (test_server_warehouse runs them on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pytest

import redcat.contract_checks.runner as contract_runner
import redcat.server as server
from redcat.load_postgres import _CsvStream, postgres_type
from redcat.pipeline import BUILD_BEFORE_CONTRACT, BUILD_MARTS
from redcat.run import ContractViolation
from redcat.server import ServerSettings


def test_settings_default_to_a_local_server():
    settings = ServerSettings.from_env({})
    assert settings == ServerSettings("127.0.0.1", 5432, "redcat", "redcat", "redcat")
    assert ServerSettings.from_env({}, bi_reader=True).user == "bi_reader"


def test_settings_come_from_the_environment_and_the_password_stays_out_of_print():
    env = {
        "REDCAT_PG_HOST": "db.internal",
        "REDCAT_PG_PORT": "6543",
        "REDCAT_PG_DATABASE": "wh",
        "REDCAT_PG_USER": "builder",
        "REDCAT_PG_PASSWORD": "p@ss:word/1",
        "REDCAT_PG_BI_USER": "tableau",
        "REDCAT_PG_BI_PASSWORD": "t",
    }
    settings = ServerSettings.from_env(env)
    assert settings.display() == "postgresql://builder@db.internal:6543/wh"
    assert settings.sqlalchemy_url() == (
        "postgresql+psycopg2://builder:p%40ss%3Aword%2F1@db.internal:6543/wh"
    )
    assert server.server_dbt_env(settings)["REDCAT_PG_PORT"] == "6543"
    reader = ServerSettings.from_env(env, bi_reader=True)
    assert (reader.user, reader.password, reader.database) == ("tableau", "t", "wh")


@pytest.mark.parametrize(
    ("duckdb_type", "expected"),
    [
        ("VARCHAR", "text"),
        ("BIGINT", "bigint"),
        ("INTEGER", "integer"),
        ("BOOLEAN", "boolean"),
        ("DOUBLE", "double precision"),
        ("DATE", "date"),
        ("DECIMAL(18,2)", "numeric(18,2)"),
    ],
)
def test_raw_column_types_map_to_postgres(duckdb_type: str, expected: str):
    assert postgres_type(duckdb_type) == expected


def test_an_unknown_raw_column_type_is_an_error():
    with pytest.raises(ValueError, match="no PostgreSQL type for the raw column type HUGEINT"):
        postgres_type("HUGEINT")


def test_the_copy_stream_hands_out_csv_one_batch_at_a_time():
    schema = pa.schema([("id", pa.string()), ("amount", pa.float64())])
    batches = [
        pa.record_batch([pa.array(["a", ""]), pa.array([1.5, None])], schema=schema),
        pa.record_batch([pa.array([], pa.string()), pa.array([], pa.float64())], schema=schema),
        pa.record_batch([pa.array([None]), pa.array([0.85])], schema=schema),
    ]
    stream = _CsvStream(iter(batches))

    first = stream.read(4)  # takes only the first batch from the iterator
    assert (first, stream.rows) == (b'"a",', 2)
    rest = stream.read()
    assert stream.rows == 3
    # empty text is quoted, NULL is an empty field: COPY's CSV format tells them apart
    assert first + rest == b'"a",1.5\n"",\n,0.85\n'
    assert stream.read(10) == b""

    pieces = []
    small = _CsvStream(iter(batches))
    while piece := small.read(3):
        assert len(piece) <= 3
        pieces.append(piece)
    assert b"".join(pieces) == first + rest


def _fake_build(
    monkeypatch: pytest.MonkeyPatch, contract_passes: bool
) -> list[tuple[list[str], dict[str, str]]]:
    calls: list[tuple[list[str], dict[str, str]]] = []

    def fake_run_dbt(args: list[str], **kwargs: Any) -> None:
        calls.append((list(args), dict(kwargs["extra_env"])))

    report = SimpleNamespace(success=contract_passes, format=lambda: "contract report")
    monkeypatch.setattr(server, "run_dbt", fake_run_dbt)
    monkeypatch.setattr(contract_runner, "run_contract_on_server", lambda *a, **k: report)
    return calls


def test_the_server_build_stops_before_the_marts_when_the_contract_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    calls = _fake_build(monkeypatch, contract_passes=False)
    settings = ServerSettings.from_env({"REDCAT_PG_PORT": "6543"})

    with pytest.raises(ContractViolation, match="contract report"):
        server.build(settings, gx_root=tmp_path, echo=lambda _line: None)

    assert [args for args, _ in calls] == [[*BUILD_BEFORE_CONTRACT, "--target", "postgres"]]
    assert calls[0][1]["REDCAT_PG_PORT"] == "6543"


def test_the_server_build_builds_the_marts_after_the_contract_passed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    calls = _fake_build(monkeypatch, contract_passes=True)

    result = server.build(ServerSettings.from_env({}), gx_root=tmp_path, echo=lambda _line: None)

    assert result.contract.success
    assert [args for args, _ in calls] == [
        [*BUILD_BEFORE_CONTRACT, "--target", "postgres"],
        [*BUILD_MARTS, "--target", "postgres"],
    ]


# PostgreSQL cuts identifiers at 63 bytes and dbt-postgres refuses longer
# relation names: a unit test's name is the name of the relation it builds.
POSTGRES_MAX_IDENTIFIER = 63


def test_every_unit_test_name_fits_a_postgres_identifier():
    import yaml

    from redcat.warehouse import project_root

    too_long = sorted(
        test["name"]
        for path in (project_root() / "models").rglob("*.yml")
        for test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", [])
        if len(test["name"].encode()) > POSTGRES_MAX_IDENTIFIER
    )

    assert too_long == []
