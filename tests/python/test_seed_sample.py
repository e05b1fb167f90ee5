"""The committed dbt seeds are the generator's sample, complete and small."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from redcat.contract import INDUSTRIES, RAW_TABLES
from redcat.seeds import (
    SEEDS_YAML,
    seed_column_type,
    seed_path,
    seed_sample_differences,
    seeds_yaml,
)
from redcat.warehouse import project_root

SEEDS = project_root() / "seeds"


def test_committed_sample_matches_the_generator() -> None:
    assert seed_sample_differences(SEEDS) == []


def test_differences_are_reported(tmp_path: Path) -> None:
    copy = tmp_path / "seeds"
    for table in RAW_TABLES:
        target = seed_path(copy, table)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(seed_path(SEEDS, table).read_bytes())
    (copy / SEEDS_YAML).write_text(seeds_yaml(), encoding="utf-8")
    assert seed_sample_differences(copy) == []
    notes = seed_path(copy, next(t for t in RAW_TABLES if t.key == "xhs/notes"))
    notes.write_text(
        notes.read_text(encoding="utf-8").replace("organic", "Organic", 1), encoding="utf-8"
    )
    seed_path(copy, RAW_TABLES[0]).unlink()
    (copy / "xhs" / "xhs__extra.csv").write_text("a\n1\n", encoding="utf-8")
    assert seed_sample_differences(copy) == [
        "xhs/xhs__accounts.csv: missing",
        "xhs/xhs__notes.csv: differs from the generator's output",
        "xhs/xhs__extra.csv: not produced by the generator",
    ]


def test_yaml_declares_every_column_type_from_the_contract() -> None:
    spec = yaml.safe_load((SEEDS / SEEDS_YAML).read_text(encoding="utf-8"))
    seeds = {s["name"]: s for s in spec["seeds"]}
    assert list(seeds) == [t.relation for t in RAW_TABLES]
    for table in RAW_TABLES:
        seed = seeds[table.relation]
        assert seed["description"].strip() and "\n" not in seed["description"]
        assert seed["config"]["column_types"] == {
            c.name: seed_column_type(c) for c in table.columns
        }


def test_yaml_spells_double_the_way_every_target_reads() -> None:
    spec = yaml.safe_load((SEEDS / SEEDS_YAML).read_text(encoding="utf-8"))
    types = {s["name"]: s["config"]["column_types"] for s in spec["seeds"]}
    assert types["shared__user_matches"]["confidence"] == "double precision"
    assert "double" not in {t for columns in types.values() for t in columns.values()}


def test_sample_is_small() -> None:
    total = sum(seed_path(SEEDS, t).stat().st_size for t in RAW_TABLES)
    assert total <= 6_000_000


@pytest.fixture(scope="module")
def sample() -> duckdb.DuckDBPyConnection:
    """The seed CSVs as typed views, read the way the YAML declares them."""
    con = duckdb.connect()
    for table in RAW_TABLES:
        types = ", ".join(f"'{c.name}': '{c.duckdb_type}'" for c in table.columns)
        con.execute(
            f"create view {table.relation} as select * from read_csv('{seed_path(SEEDS, table)}', "
            f"header = true, auto_detect = false, columns = {{{types}}})"
        )
    return con


def test_every_seed_is_a_csv_with_the_contract_header(sample: duckdb.DuckDBPyConnection) -> None:
    for table in RAW_TABLES:
        header = seed_path(SEEDS, table).read_text(encoding="utf-8").split("\n", 1)[0]
        assert header == ",".join(table.column_names)
        assert sample.execute(f"select count(*) from {table.relation}").fetchall()[0][0] > 0, (
            table.key
        )


COMPLETENESS = {
    "every industry has brands": """
        select count(distinct industry) = 6 from xhs__accounts where account_type = 'brand'""",
    "both platforms have shops and orders": """
        select (select count(*) from tb__orders) > 0 and (select count(*) from jd__orders) > 0""",
    "matches above and below the confidence floor on both platforms": """
        select count(*) = 4 from (
            select platform, confidence >= 0.8 from shared__user_matches group by all)""",
    "link clicks, ad-link visits and jd orders from links": """
        select (select count(*) from xhs__note_events where event_type = 'link_click') > 0
           and (select count(*) from tb__visits where channel = 'xhs_ad_link') > 0
           and (select count(*) from jd__orders where "sourceNoteId" is not null) > 0""",
    "brand searches before the launch": """
        select count(*) > 0 from tb__searches as s
        join tb__shops as b on contains(s.query, b.brand_name)
        where cast(s.searched_at as timestamptz) < timestamptz '2025-05-07 00:00:00+08:00'""",
    "joint spend in both years": """
        select count(distinct year(spend_date)) = 2 from xhs__ad_spend_daily where is_joint""",
    "re-sent duplicate events": """
        select count(*) > count(distinct event_id) from xhs__note_events""",
    "pre-sale orders": "select count(*) > 0 from tb__orders where is_presale",
}


@pytest.mark.parametrize("name", list(COMPLETENESS))
def test_sample_tells_the_whole_story(sample: duckdb.DuckDBPyConnection, name: str) -> None:
    assert sample.execute(COMPLETENESS[name]).fetchall()[0][0] is True, name


def test_industries_are_the_contract_ones(sample: duckdb.DuckDBPyConnection) -> None:
    seen = {i for (i,) in sample.execute("select distinct industry from tb__shops").fetchall()}
    assert seen == set(INDUSTRIES)
