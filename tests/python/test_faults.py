"""The fault matrix: every kind of bad input has one exact, documented outcome.

One tiny generated raw directory is damaged three ways, and each copy is
loaded and built once (module-scoped), the way a run builds: `redcat load`,
`dbt build` of everything but the marts, the Great Expectations contract, and
the marts only when the contract passes.

- `rows`: every row-level kind at once (their rows never overlap), plus the
  extra column and the order in a shop no brand owns: staging quarantines each
  with its rule, the contract passes, the marts are built;
- `contract`: overlapping validity and a shop claimed by two brands: the
  contract fails both expectations, the marts are not built;
- `file`: a missing required column: `redcat load` rejects the directory and
  the warehouse keeps the previous load.

docs/faults.md is the outcome table these tests assert.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from redcat.cli import main
from redcat.contract import RAW_TABLES, TABLES_BY_KEY
from redcat.contract_checks import ContractReport, run_contract
from redcat.generate import write_raw_dir
from redcat.generate.faults import (
    EXPECTED_OUTCOMES,
    FAULT_KINDS,
    FaultManifest,
    InjectedFault,
    apply_faults,
    normalise_kinds,
    read_fault_manifest,
)
from redcat.load import LoadReport, RawInputError, load_raw_dir
from redcat.pipeline import MARTS_SELECTION
from redcat.warehouse import connect, project_root, run_dbt

ROOT = project_root()
SCALE = 0.001
SEED = 7

# --- the outcome table (docs/faults.md), written out independently of faults.py ----------

# kind -> (staging relation, {rule: rows quarantined})
QUARANTINED: dict[str, tuple[str, dict[str, int]]] = {
    "duplicate-order-ids": ("tb__orders", {"conflicting_duplicate_key": 6}),
    "null-keys": ("jd__orders", {"order_id_missing": 2, "pin_hash_not_64_lowercase_hex": 1}),
    "raw-id-in-hash": ("xhs__note_events", {"user_key_not_64_lowercase_hex": 3}),
    "organic-note-shop-link": ("xhs__notes", {"shop_link_on_organic_note": 3}),
    "negative-money": ("xhs__ad_spend_daily", {"spend_cny_negative": 3}),
    "future-timestamp": ("tb__visits", {"visit_at_in_future": 3}),
    "unparseable-timestamp": ("tb__searches", {"searched_at_not_iso8601_with_offset": 3}),
    "money-wrong-unit": ("tb__orders", {"pay_fen_not_integer_fen": 3}),
}
# kind -> (expectation, relation, unexpected_count)
CONTRACT_FAILS: dict[str, tuple[str, str, int]] = {
    "overlapping-validity": (
        "brand_validity_periods_do_not_overlap",
        "staging.stg_shared__tri_party_accounts",
        2,
    ),
    "shop-two-brands": (
        "shop_linked_to_one_brand_per_day",
        "intermediate.int_shop_links_resolved",
        2,
    ),
}
# kind -> (table, column, file) named by the load error
LOAD_FAILS: dict[str, tuple[str, str, str]] = {
    "missing-column": ("tb/items", "price_fen", "tb/items.csv"),
}
# kind -> (table, column, file) named by the load warning
LOAD_WARNS: dict[str, tuple[str, str, str]] = {
    "extra-column": ("jd/shops", "shopScore", "jd/shops.csv"),
}
ACCEPTED = ("unowned-shop-order",)

CONTRACT_KINDS = tuple(CONTRACT_FAILS)
FILE_KINDS = tuple(LOAD_FAILS)
ROW_KINDS = tuple(k for k in FAULT_KINDS if k not in CONTRACT_KINDS and k not in FILE_KINDS)
RESENT = "resent_duplicate"  # the generator's own re-sent events, not a fault


# --- builds --------------------------------------------------------------------------------


@dataclass
class Build:
    raw_dir: Path
    db_path: Path
    manifest: FaultManifest
    load: LoadReport
    contract: ContractReport
    marts_built: bool

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with connect(self.db_path, read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def _dbt(args: list[str], db_path: Path, work: Path) -> None:
    run_dbt(
        args,
        db_path=db_path,
        extra_env={
            "DBT_TARGET_PATH": str(work / "target"),
            "DBT_LOG_PATH": str(work / "logs"),
            "GX_ANALYTICS_ENABLED": "false",
        },
    )


def build_like_a_run(raw_dir: Path, manifest: FaultManifest, work: Path) -> Build:
    """Load, build up to the join models, run the contract, build the marts if it passed."""
    db_path = work / "warehouse.duckdb"
    load = load_raw_dir(raw_dir, db_path)
    # seeds and unit tests do not read the loaded data: left out to keep the matrix short
    # the main job's two dbt steps (orchestration.assets.dbt), either side of the gates
    before_marts = ["build", "--full-refresh", "--exclude", MARTS_SELECTION]
    _dbt([*before_marts, "resource_type:unit_test", "resource_type:seed"], db_path, work)
    gx_root = work / "gx"
    shutil.copytree(ROOT / "gx", gx_root, ignore=shutil.ignore_patterns("uncommitted"))
    contract = run_contract(db_path, build_data_docs=False, gx_root=gx_root)
    if contract.success:
        marts = ["build", "--full-refresh", "--select", MARTS_SELECTION]
        _dbt([*marts, "--exclude", "resource_type:unit_test"], db_path, work)
    return Build(raw_dir, db_path, manifest, load, contract, marts_built=contract.success)


@pytest.fixture(scope="module")
def base_raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("base") / "raw"
    write_raw_dir(out, SCALE, SEED, progress=False)
    return out


def _faulty_copy(base: Path, to: Path, kinds: tuple[str, ...]) -> tuple[Path, FaultManifest]:
    raw_dir = to / "raw"
    shutil.copytree(base, raw_dir)
    return raw_dir, apply_faults(raw_dir, kinds, SEED)


@pytest.fixture(scope="module")
def rows_build(base_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("rows")
    raw_dir, manifest = _faulty_copy(base_raw_dir, work, ROW_KINDS)
    return build_like_a_run(raw_dir, manifest, work)


@pytest.fixture(scope="module")
def contract_build(base_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    work = tmp_path_factory.mktemp("contract")
    raw_dir, manifest = _faulty_copy(base_raw_dir, work, CONTRACT_KINDS)
    return build_like_a_run(raw_dir, manifest, work)


@dataclass
class RejectedLoad:
    db_path: Path
    raw_dir: Path
    manifest: FaultManifest
    error: RawInputError
    before: dict[str, Any]
    after: dict[str, Any]


def _raw_state(db_path: Path) -> dict[str, Any]:
    """Every loaded raw relation's row count and column names, and the load history."""
    state: dict[str, Any] = {}
    with connect(db_path, read_only=True) as con:
        for table in RAW_TABLES:
            count = con.execute(f"select count(*) from raw.{table.relation}").fetchone()
            columns = [r[0] for r in con.execute(f"describe raw.{table.relation}").fetchall()]
            state[table.relation] = (count[0] if count else None, columns)
        state["_loads"] = con.execute(
            "select loaded_at, raw_dir, relation, row_count from raw._loads order by all"
        ).fetchall()
    return state


@pytest.fixture(scope="module")
def file_load(base_raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> RejectedLoad:
    work = tmp_path_factory.mktemp("file")
    db_path = work / "warehouse.duckdb"
    load_raw_dir(base_raw_dir, db_path)
    before = _raw_state(db_path)
    raw_dir, manifest = _faulty_copy(base_raw_dir, work, FILE_KINDS)
    with pytest.raises(RawInputError) as caught:
        load_raw_dir(raw_dir, db_path)
    return RejectedLoad(db_path, raw_dir, manifest, caught.value, before, _raw_state(db_path))


# --- the matrix ------------------------------------------------------------------------------


def test_every_kind_has_exactly_one_documented_outcome() -> None:
    outcomes = [*QUARANTINED, *CONTRACT_FAILS, *LOAD_FAILS, *LOAD_WARNS, *ACCEPTED]
    assert sorted(outcomes) == sorted(FAULT_KINDS)
    assert len(FAULT_KINDS) == 13
    docs = (ROOT / "docs" / "faults.md").read_text(encoding="utf-8")
    for kind in FAULT_KINDS:
        assert f"`{kind}`" in docs, kind
    for _, rules in QUARANTINED.values():
        for rule in rules:
            assert f"`{rule}`" in docs, rule
    for expectation, _, _ in CONTRACT_FAILS.values():
        assert f"`{expectation}`" in docs, expectation


def test_outcomes_in_the_manifest_match_the_table() -> None:
    for kind, (relation, rules) in QUARANTINED.items():
        assert EXPECTED_OUTCOMES[kind]["layer"] == "staging"
        assert (EXPECTED_OUTCOMES[kind]["relation"], EXPECTED_OUTCOMES[kind]["rules"]) == (
            relation,
            rules,
        )
    for kind, (expectation, relation, count) in CONTRACT_FAILS.items():
        assert dict(EXPECTED_OUTCOMES[kind]) == {
            "layer": "contract",
            "expectation": expectation,
            "relation": relation,
            "unexpected_count": count,
        }
    assert {k for k, v in EXPECTED_OUTCOMES.items() if v["layer"] == "load"} == set(LOAD_FAILS)
    assert {k for k, v in EXPECTED_OUTCOMES.items() if v["layer"] == "load_warning"} == set(
        LOAD_WARNS
    )
    assert {k for k, v in EXPECTED_OUTCOMES.items() if v["layer"] == "accepted"} == set(ACCEPTED)


def test_kind_names_accept_snake_case_and_come_back_in_canonical_order() -> None:
    assert normalise_kinds(["money_wrong_unit", " null-keys", "NEGATIVE_MONEY"]) == (
        "null-keys",
        "negative-money",
        "money-wrong-unit",
    )
    with pytest.raises(ValueError, match="unknown fault kind\\(s\\): typo-kind"):
        normalise_kinds(["null-keys", "typo-kind"])


@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.slow
def test_fault_outcome(kind: str, request: pytest.FixtureRequest) -> None:
    if kind in QUARANTINED:
        check_quarantined(kind, request.getfixturevalue("rows_build"))
    elif kind in CONTRACT_FAILS:
        check_contract_failure(kind, request.getfixturevalue("contract_build"))
    elif kind in LOAD_FAILS:
        check_load_failure(kind, request.getfixturevalue("file_load"))
    elif kind in LOAD_WARNS:
        check_load_warning(kind, request.getfixturevalue("rows_build"))
    else:
        check_unowned_shop_order(kind, request.getfixturevalue("rows_build"))


def check_quarantined(kind: str, build: Build) -> None:
    relation, rules = QUARANTINED[kind]
    fault = build.manifest.by_kind(kind)
    assert fault.count == 3
    assert build.marts_built
    rejected = build.query(
        "select rejection_rule, row_key from staging.stg_quarantine__rejected_rows "
        "where source_table = ? and list_contains(?, rejection_rule)",
        [relation, list(rules)],
    )
    assert Counter(rule for rule, _ in rejected) == Counter(rules)
    keys = [key for _, key in rejected]
    if kind == "duplicate-order-ids":  # both copies of each re-used id
        assert Counter(keys) == Counter({key: 2 for key in fault.keys})
    elif kind == "null-keys":  # the two order lines lost their key; the third keeps it
        assert sorted(keys, key=str) == sorted([None, None, fault.keys[2]], key=str)
    else:
        assert sorted(keys) == sorted(fault.keys)
    if kind == "raw-id-in-hash":
        check_raw_ids_not_copied(build, fault)
    # none of these rows reached the staging model
    counts = build.query(
        "select raw_rows, accepted_rows, quarantined_rows "
        "from staging.stg_quarantine__row_counts where source_table = ?",
        [relation],
    )
    raw_rows, accepted, quarantined = counts[0]
    assert raw_rows == accepted + quarantined


def check_raw_ids_not_copied(build: Build, fault: InjectedFault) -> None:
    """The injected phone numbers and e-mail stay in the raw data: the quarantine describes them."""
    with duckdb.connect() as con:
        injected: dict[str, str] = dict(
            con.execute(
                f"select event_id, user_key from '{build.raw_dir / 'xhs/note_events.parquet'}' "
                "where list_contains(?, event_id)",
                [list(fault.keys)],
            ).fetchall()
        )
    assert sorted(injected) == sorted(fault.keys)
    # the two mobile numbers (11 digits; one written +86…) and the e-mail
    [email] = [value for value in injected.values() if "@" in value]
    mobiles = sorted(re.sub("[^0-9]", "", v)[-11:] for v in injected.values() if v != email)
    assert len(mobiles) == 2
    assert all(re.fullmatch("1[0-9]{10}", mobile) for mobile in mobiles), mobiles
    local_part, domain = email.split("@")
    tell_tales = [*mobiles, "@", local_part, domain]

    rows = build.query(
        "select row_key, raw_row from staging.stg_quarantine__rejected_rows "
        "where source_table = 'xhs__note_events' and list_contains(?, row_key)",
        [list(fault.keys)],
    )
    assert sorted(key for key, _ in rows) == sorted(fault.keys)
    for key, raw_row in rows:
        assert "@" not in raw_row, key
        for tell_tale in tell_tales:
            assert tell_tale not in raw_row, (key, tell_tale)
        delivered = json.loads(raw_row)
        assert delivered["event_id"] == key
        assert delivered["user_key"] == (
            f"<redacted: {len(injected[key])} chars, not 64 lowercase hex>"
        )

    # nor is any of it copied into a table outside schema raw (the base_ views read raw)
    pattern = "|".join(re.escape(value) for value in [*mobiles, email])
    tables = build.query(
        "select c.table_schema, c.table_name, list(c.column_name order by c.ordinal_position) "
        "from information_schema.columns as c inner join information_schema.tables as t "
        "on c.table_schema = t.table_schema and c.table_name = t.table_name "
        "where t.table_type = 'BASE TABLE' and c.table_schema <> 'raw' "
        "and c.data_type = 'VARCHAR' group by all"
    )
    assert ("staging", "base_xhs__note_events_checked") in {(s, t) for s, t, _ in tables}
    for schema, table, names in tables:
        text = "concat_ws(chr(31), " + ", ".join(f'"{name}"' for name in names) + ")"
        copies = build.query(
            f'select count(*) from "{schema}"."{table}" where regexp_matches({text}, ?)',
            [pattern],
        )
        assert copies == [(0,)], (schema, table)


def check_contract_failure(kind: str, build: Build) -> None:
    expectation, relation, count = CONTRACT_FAILS[kind]
    fault = build.manifest.by_kind(kind)
    assert not build.contract.success
    [outcome] = [o for o in build.contract.results if o.expectation == expectation]
    assert (outcome.success, outcome.relation, outcome.unexpected_count) == (
        False,
        relation,
        count,
    )
    assert outcome.error is None
    assert len(outcome.sample) == count
    report = build.contract.format()
    assert f"FAILED {expectation}" in report
    assert f"relation: {relation}" in report
    assert f"offending rows: {count}" in report
    if kind == "overlapping-validity":
        # the brand's period and the overlapping one added after it
        assert sorted(row["tri_account_period_id"] for row in outcome.sample) == sorted(fault.keys)
    else:
        [claimant] = fault.keys
        claimed = {row["shop_id"] for row in outcome.sample}
        assert len(claimed) == 1
        assert f"taobao|{claimant}" in {row["shop_link_id"] for row in outcome.sample}
        assert len({row["xhs_brand_account_id"] for row in outcome.sample}) == 2
    assert not build.marts_built
    assert build.query(
        "select count(*) from information_schema.tables where table_schema = 'marts'"
    )[0] == (0,)


def check_load_failure(kind: str, rejected: RejectedLoad) -> None:
    table, column, file = LOAD_FAILS[kind]
    path = rejected.raw_dir / file
    assert rejected.error.problems == [
        f"table {table}: required column {column!r} missing in {path.resolve()}"
    ]
    assert "nothing was loaded" in str(rejected.error)
    assert rejected.after == rejected.before  # the previous load is untouched
    assert rejected.manifest.by_kind(kind).files == (file,)


def check_load_warning(kind: str, build: Build) -> None:
    table, column, file = LOAD_WARNS[kind]
    path = (build.raw_dir / file).resolve()
    assert f"table {table}: extra column {column!r} in {path} is ignored" in build.load.warnings
    relation = TABLES_BY_KEY[table].relation
    columns = [row[0] for row in build.query(f"describe raw.{relation}")]
    assert columns == list(TABLES_BY_KEY[table].column_names)
    fault = build.manifest.by_kind(kind)
    counts = build.query(
        "select raw_rows, accepted_rows, quarantined_rows from staging.stg_quarantine__row_counts "
        "where source_table = ?",
        [relation],
    )
    assert counts == [(fault.count, fault.count, 0)]
    assert build.contract.success and build.marts_built


def check_unowned_shop_order(kind: str, build: Build) -> None:
    fault = build.manifest.by_kind(kind)
    keys = list(fault.keys)
    assert len(keys) == 3
    # valid order lines: accepted, none quarantined
    assert build.query(
        "select count(*) from staging.stg_quarantine__rejected_rows "
        "where source_table = 'tb__orders' and list_contains(?, row_key)",
        [keys],
    ) == [(0,)]
    staged = dict(
        build.query(
            "select order_id, paid_cny from staging.stg_tb__orders "
            "where list_contains(?, order_id)",
            [keys],
        )
    )
    assert sorted(staged) == sorted(keys)
    # in the conversions, with no brand, never attributed, counted in GMV
    rows = build.query(
        "select order_id, shop_id, brand_account_id, brand_name, is_shop_linked, is_eligible, "
        "is_attributed, gmv_cny from marts.fct_conversions "
        "where platform = 'taobao' and list_contains(?, order_id)",
        [keys],
    )
    assert len(rows) == 3
    shops = {row[1] for row in rows}
    assert len(shops) == 1
    (shop,) = shops
    for order_id, _, brand_account_id, brand_name, linked, eligible, attributed, gmv in rows:
        assert (brand_account_id, brand_name, linked, eligible, attributed) == (
            None,
            None,
            False,
            False,
            False,
        )
        assert gmv == staged[order_id]
    assert build.query(
        "select count(*) from marts.fct_attributed_orders "
        "where platform = 'taobao' and list_contains(?, order_id)",
        [keys],
    ) == [(0,)]
    # no brand owns the shop: not in tb/shops, not in any tri-party account
    assert build.query("select count(*) from staging.stg_tb__shops where shop_id = ?", [shop]) == [
        (0,)
    ]
    assert build.query(
        "select count(*) from staging.stg_shared__tri_party_accounts where tb_shop_id = ?", [shop]
    ) == [(0,)]
    # platform GMV still reconciles: every staged, not cancelled tb order line is a conversion
    assert build.query(
        "select (select sum(paid_cny) from staging.stg_tb__orders where not is_cancelled) "
        "= (select sum(gmv_cny) from marts.fct_conversions where platform = 'taobao')"
    ) == [(True,)]


# --- across the matrix -----------------------------------------------------------------------


@pytest.mark.slow
def test_quarantine_holds_exactly_the_injected_rows_and_reconciles(rows_build: Build) -> None:
    expected: Counter[tuple[str, str]] = Counter()
    for relation, rules in QUARANTINED.values():
        for rule, count in rules.items():
            expected[(relation, rule)] += count
    found = Counter(
        {
            (table, rule): count
            for table, rule, count in rows_build.query(
                "select source_table, rejection_rule, count(*) "
                "from staging.stg_quarantine__rejected_rows group by all"
            )
            if rule != RESENT
        }
    )
    assert found == expected
    generated = json.loads(
        (rows_build.raw_dir / "_truth" / "manifest.json").read_text(encoding="utf-8")
    )["rows"]
    added = Counter[str]()
    for fault in rows_build.manifest.faults:
        added[fault.table] += fault.rows_added
    counts = rows_build.query(
        "select source_table, raw_rows, accepted_rows, quarantined_rows "
        "from staging.stg_quarantine__row_counts"
    )
    assert len(counts) == len(RAW_TABLES)
    by_relation = {t.relation: t.key for t in RAW_TABLES}
    for relation, raw_rows, accepted, quarantined in counts:
        key = by_relation[relation]
        assert raw_rows == generated[key] + added[key], relation
        assert raw_rows == accepted + quarantined, relation


@pytest.mark.slow
def test_row_faults_pass_the_contract_and_build_the_marts(rows_build: Build) -> None:
    assert rows_build.contract.success
    assert rows_build.contract.failures == []
    marts = rows_build.query(
        "select count(*) from information_schema.tables where table_schema = 'marts'"
    )[0][0]
    assert marts > 0


@pytest.mark.slow
def test_contract_faults_fail_exactly_their_expectations(contract_build: Build) -> None:
    failed = {
        (o.expectation, o.relation, o.unexpected_count) for o in contract_build.contract.failures
    }
    assert failed == set(CONTRACT_FAILS.values())
    # the raw data itself was clean: only the generator's re-sent events are quarantined
    assert contract_build.query(
        "select distinct rejection_rule from staging.stg_quarantine__rejected_rows"
    ) == [(RESENT,)]


# --- the injection itself ---------------------------------------------------------------------


def _files(raw_dir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(raw_dir).as_posix(): p.read_bytes()
        for p in sorted(raw_dir.rglob("*"))
        if p.is_file()
    }


def test_injection_is_deterministic_and_rewrites_only_the_affected_files(
    base_raw_dir: Path, tmp_path: Path
) -> None:
    first, manifest = _faulty_copy(base_raw_dir, tmp_path / "a", FAULT_KINDS)
    second, _ = _faulty_copy(base_raw_dir, tmp_path / "b", tuple(reversed(FAULT_KINDS)))
    assert _files(first) == _files(second)

    base = _files(base_raw_dir)
    after = _files(first)
    changed = {name for name in base if after[name] != base[name]}
    assert set(after) - set(base) == {"_truth/faults.json"}
    rewritten = {name for fault in manifest.faults for name in fault.files}
    assert changed == rewritten
    assert changed == {
        "tb/orders.parquet",
        "jd/orders.parquet",
        "xhs/note_events.parquet",
        "xhs/notes.csv",
        "shared/tri_party_accounts.csv",
        "xhs/ad_spend_daily.csv",
        "tb/visits.parquet",
        "tb/searches.parquet",
        "tb/items.csv",
        "jd/shops.csv",
    }
    for name in changed:  # each file keeps its format
        if name.endswith(".parquet"):
            assert pq.read_metadata(first / name).num_rows > 0
        else:
            assert (first / name).read_text(encoding="utf-8").count("\n") > 1


def test_manifest_says_exactly_what_was_injected(base_raw_dir: Path, tmp_path: Path) -> None:
    raw_dir, manifest = _faulty_copy(base_raw_dir, tmp_path, FAULT_KINDS)
    written = read_fault_manifest(raw_dir)
    assert written == json.loads(json.dumps(manifest.to_json(), default=str))
    assert written["kinds"] == list(FAULT_KINDS)
    assert [f["kind"] for f in written["faults"]] == list(FAULT_KINDS)
    tables = {f.kind: (f.table, f.column, f.count, f.rows_added) for f in manifest.faults}
    generated = json.loads((raw_dir / "_truth" / "manifest.json").read_text(encoding="utf-8"))
    assert tables == {
        "duplicate-order-ids": ("tb/orders", "order_id", 3, 3),
        "null-keys": ("jd/orders", "orderId", 3, 0),
        "raw-id-in-hash": ("xhs/note_events", "user_key", 3, 0),
        "organic-note-shop-link": ("xhs/notes", "link_platform", 3, 0),
        "overlapping-validity": ("shared/tri_party_accounts", "valid_from", 1, 1),
        "shop-two-brands": ("shared/tri_party_accounts", "tb_shop_id", 1, 0),
        "unowned-shop-order": ("tb/orders", "shop_id", 3, 0),
        "negative-money": ("xhs/ad_spend_daily", "spend_cny", 3, 0),
        "future-timestamp": ("tb/visits", "visit_at", 3, 0),
        "unparseable-timestamp": ("tb/searches", "searched_at", 3, 0),
        "money-wrong-unit": ("tb/orders", "pay_fen", 3, 0),
        "missing-column": ("tb/items", "price_fen", generated["rows"]["tb/items"], 0),
        "extra-column": ("jd/shops", "shopScore", generated["rows"]["jd/shops"], 0),
    }
    keyed = [f for f in manifest.faults if f.kind not in ("missing-column", "extra-column")]
    for fault in keyed:
        expected_keys = 2 if fault.kind == "overlapping-validity" else fault.count
        assert len(fault.keys) == expected_keys, fault.kind
        assert all(fault.keys), fault.kind
    # the rows touched by different faults never overlap
    orders = [k for f in manifest.faults if f.table == "tb/orders" for k in f.keys]
    assert len(orders) == len(set(orders)) == 9


def test_injected_values_look_like_the_real_mistakes(base_raw_dir: Path, tmp_path: Path) -> None:
    raw_dir, manifest = _faulty_copy(base_raw_dir, tmp_path, FAULT_KINDS)
    con = duckdb.connect()

    def values(fault: InjectedFault, key_column: str, column: str, path: str) -> list[Any]:
        return [
            row[0]
            for row in con.execute(
                f"select {column} from '{raw_dir / path}' where list_contains(?, {key_column}) "
                f"order by {key_column}",
                [list(fault.keys)],
            ).fetchall()
        ]

    pay = values(manifest.by_kind("money-wrong-unit"), "order_id", "pay_fen", "tb/orders.parquet")
    assert all(v.count(".") == 1 and len(v.split(".")[1]) == 2 for v in pay)
    raw_ids = values(
        manifest.by_kind("raw-id-in-hash"), "event_id", "user_key", "xhs/note_events.parquet"
    )
    assert sum("@" in v for v in raw_ids) == 1
    assert sum(v.lstrip("+").isdigit() for v in raw_ids) == 2
    spend = con.execute(
        f"select spend_cny from read_csv('{raw_dir / 'xhs/ad_spend_daily.csv'}', all_varchar=true) "
        "where starts_with(spend_cny, '-')"
    ).fetchall()
    assert len(spend) == 3
    visits = values(
        manifest.by_kind("future-timestamp"), "visit_id", "visit_at", "tb/visits.parquet"
    )
    assert all(v.startswith("2096-") for v in visits)


def test_injection_refuses_a_directory_that_already_holds_faults(
    base_raw_dir: Path, tmp_path: Path
) -> None:
    raw_dir, _ = _faulty_copy(base_raw_dir, tmp_path, ("negative-money",))
    with pytest.raises(ValueError, match="already holds injected faults"):
        apply_faults(raw_dir, ["future-timestamp"], SEED)


# --- the command line -------------------------------------------------------------------------


def test_cli_generate_with_faults_writes_the_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "raw"
    code = main(
        [
            "generate",
            "--scale",
            str(SCALE),
            "--seed",
            str(SEED),
            "--out",
            str(out),
            "--faults",
            "negative_money,future-timestamp",
        ]
    )
    assert code == 0
    written = read_fault_manifest(out)
    assert written["seed"] == SEED
    assert written["kinds"] == ["negative-money", "future-timestamp"]
    assert [f["count"] for f in written["faults"]] == [3, 3]
    printed = capsys.readouterr().out
    assert (
        f"Injected 2 faults (negative-money, future-timestamp): {out / '_truth' / 'faults.json'}"
        in printed
    )


def test_cli_generate_rejects_an_unknown_fault_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["generate", "--scale", "0.001", "--out", str(tmp_path / "x"), "--faults", "nope"])
    assert exited.value.code == 2
    assert "unknown fault kind(s): nope" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
