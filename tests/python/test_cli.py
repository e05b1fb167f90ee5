"""The `redcat` command line, the run's summary, the dbt wrapper, and CI wiring."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from rawdirs import write_raw_dir

from redcat.bench import BenchReport, RunFigures, largest_staging_relation, print_report
from redcat.cli import main
from redcat.contract import RAW_TABLES
from redcat.load import load_raw_dir, loaded_relations
from redcat.pipeline import RawRequest, prepare_raw
from redcat.pipeline.raw import ensure_generated, generated_dir, manifest_matches
from redcat.run import describe_warehouse, query_example
from redcat.warehouse import ENVIRONMENT, DbtRunError, project_root, run_dbt, warehouse_path

ROOT = project_root()


def redcat_executable() -> Path:
    return Path(sys.executable).with_name("redcat")


def test_help_lists_the_five_commands():
    completed = subprocess.run(
        [str(redcat_executable()), "--help"],
        env={**os.environ, "COLUMNS": "80"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    lines = {
        m.group(1): m.group(2).strip()
        for m in re.finditer(r"^\s{4}(\w+)\s{2,}(.+)$", completed.stdout, re.MULTILINE)
    }
    assert lines == {
        "generate": "write a synthetic raw directory (docs/sources.md layout)",
        "load": "validate a raw directory and load it into schema raw",
        "run": "main job: seeds, raw dir or generated data, dbt build",
        "bench": "time generation, load and dbt build; print figures",
        "dashboard": "serve the BI dashboard on the published marts",
    }


def test_run_refuses_both_raw_dir_and_scale(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as caught:
        main(["run", "--raw-dir", "x", "--scale", "1"])

    assert caught.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("scale", ["0", "-1", "abc"])
def test_scale_must_be_a_positive_number(scale: str, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as caught:
        main(["generate", "--scale", scale, "--out", "x"])

    assert caught.value.code == 2
    assert "--scale" in capsys.readouterr().err


def test_load_prints_rows_per_table(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
):
    write_raw_dir(tmp_path / "raw", 3)

    assert main(["load", str(tmp_path / "raw")]) == 0

    out = capsys.readouterr().out
    assert f"into {db_path} (schema raw)" in out
    for t in RAW_TABLES:
        assert re.search(rf"^  raw\.{t.relation}\s+3 rows$", out, re.MULTILINE), t.relation
    assert re.search(r"^  total\s+42 rows in ", out, re.MULTILINE)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute("select count(*) from raw.jd__orders").fetchall() == [(3,)]
    finally:
        con.close()


def test_load_of_a_bad_directory_exits_2_and_names_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    write_raw_dir(tmp_path / "raw", 3)
    (tmp_path / "raw" / "jd" / "shops.csv").unlink()

    assert main(["load", str(tmp_path / "raw")]) == 2

    shops = (tmp_path / "raw" / "jd" / "shops").resolve()
    assert capsys.readouterr().err == (
        "redcat load: raw directory rejected (raw contract: docs/sources.md), nothing was loaded: "
        "table jd/shops: missing; "
        f"expected {shops}.csv, {shops}.csv.gz, {shops}.parquet or a folder {shops}/ of such "
        "files\n"
    )

    (tmp_path / "raw" / "tb" / "items.csv").unlink()

    assert main(["load", str(tmp_path / "raw")]) == 2

    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == (
        "redcat load: raw directory rejected (raw contract: docs/sources.md), nothing was loaded:"
    )
    assert [line.split(":")[0] for line in lines[1:]] == [
        "  - table tb/items",
        "  - table jd/shops",
    ]


def test_warehouse_path_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("REDCAT_DUCKDB_PATH", str(tmp_path / "a" / "b" / "w.duckdb"))
    assert warehouse_path() == tmp_path / "a" / "b" / "w.duckdb"
    assert (tmp_path / "a" / "b").is_dir()

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REDCAT_DUCKDB_PATH", "rel/w.duckdb")
    assert warehouse_path() == tmp_path.resolve() / "rel" / "w.duckdb"

    monkeypatch.delenv("REDCAT_DUCKDB_PATH")
    assert warehouse_path(tmp_path) == tmp_path / "warehouse" / "redcat.duckdb"


def test_project_root_is_the_folder_holding_dbt_project_yml():
    assert (ROOT / "dbt_project.yml").is_file()
    assert (ROOT / "src" / "redcat" / "warehouse.py").is_file()


def test_run_dbt_raises_a_clear_error_when_dbt_fails(db_path: Path):
    with pytest.raises(DbtRunError) as caught:
        run_dbt(["run", "--target", "no_such_target"], db_path=db_path)

    assert caught.value.returncode == 2  # dbt: an error before any node ran
    assert str(caught.value) == (
        "`dbt run --target no_such_target` failed with exit code 2 (see dbt's output above)"
    )


def make_warehouse(db_path: Path) -> None:
    con = duckdb.connect(str(db_path))
    try:
        con.execute("create schema staging")
        con.execute("create schema marts")
        con.execute("create schema raw_sample")
        con.execute("create table raw_sample.xhs__notes (note_id varchar)")
        con.execute("insert into raw_sample.xhs__notes values ('xn_000123')")
        con.execute("create view staging.base_xhs__notes as select * from raw_sample.xhs__notes")
        con.execute("create view staging.stg_xhs__notes as select * from staging.base_xhs__notes")
        con.execute("create table marts.fct_note_daily as select 'xn_000777' as note_id")
    finally:
        con.close()


def test_summary_lists_relations_and_a_query_that_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    db_path = tmp_path / "w.duckdb"
    make_warehouse(db_path)

    describe_warehouse(db_path)

    out = capsys.readouterr().out.splitlines()
    assert out[:4] == [
        f"Warehouse: {db_path}",
        "  marts (1): fct_note_daily",
        "  staging (2): stg_xhs__notes (and 1 base_ views)",
        "  raw_sample: 1 relations",
    ]
    assert out[4] == "Query it (read-only, while no build is running):"
    command = out[5].strip()
    assert "select * from marts.fct_note_daily limit 10" in command
    completed = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert "xn_000777" in completed.stdout


def test_query_example_falls_back_to_staging(tmp_path: Path):
    relations = {"staging": ["base_tb__shops", "stg_tb__shops"], "raw_sample": ["tb__shops"]}

    example = query_example(tmp_path / "w.duckdb", relations)

    assert example is not None
    assert "select * from staging.stg_tb__shops limit 10" in example
    assert query_example(tmp_path / "w.duckdb", {"raw_sample": ["tb__shops"]}) is None


def test_generated_data_is_reused_only_for_the_same_scale_and_seed(tmp_path: Path):
    out = generated_dir(tmp_path, 0.01, 7)
    assert out == tmp_path / "data" / "generated" / "sf0.01_seed7"
    assert generated_dir(tmp_path, 1.0, 42).name == "sf1_seed42"
    assert not manifest_matches(out, 0.01, 7)

    (out / "_truth").mkdir(parents=True)
    (out / "_truth" / "manifest.json").write_text(json.dumps({"scale": 0.01, "seed": 7}))

    assert manifest_matches(out, 0.01, 7)
    assert not manifest_matches(out, 0.01, 8)
    assert not manifest_matches(out, 0.02, 7)
    (out / "_truth" / "manifest.json").write_text("{ not json")
    assert not manifest_matches(out, 0.01, 7)


def seed_column(path: Path, column: str) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return sorted(row[column] for row in csv.DictReader(handle))


@pytest.mark.slow
def test_run_reads_the_loaded_dir_then_falls_back_to_the_seeds(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
):
    write_raw_dir(tmp_path / "raw", 4)

    raw = prepare_raw(RawRequest(source="load", raw_dir=tmp_path / "raw"), db_path, ROOT)
    run_dbt(["run", "-s", "base_tb__shops"], db_path=db_path)

    assert raw.description == str((tmp_path / "raw").resolve())
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        shops = con.execute("select shop_id from staging.base_tb__shops order by 1").fetchall()
    finally:
        con.close()
    assert shops == [("ts_00000",), ("ts_00001",), ("ts_00002",), ("ts_00003",)]

    build_from_seeds = ["build", "-s", "+base_tb__shops", "--exclude-resource-type", "test"]
    raw = prepare_raw(RawRequest(source="sample"), db_path, ROOT)
    run_dbt(build_from_seeds, db_path=db_path)

    assert raw.description == "seeds"
    assert loaded_relations(db_path) == []
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        shops = con.execute("select shop_id from staging.base_tb__shops order by 1").fetchall()
    finally:
        con.close()
    assert [s for (s,) in shops] == seed_column(ROOT / "seeds" / "tb" / "tb__shops.csv", "shop_id")
    assert len(raw.dropped) == 14  # the loaded raw relations, so the seeds apply
    describe_warehouse(db_path)
    assert f"Warehouse: {db_path}" in capsys.readouterr().out


def test_generate_prints_rows_and_its_output_loads(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "gen"

    assert main(["generate", "--scale", "0.001", "--seed", "3", "--out", str(out)]) == 0

    printed = capsys.readouterr().out
    generated = {
        m.group(1): int(m.group(2).replace(",", ""))
        for m in re.finditer(r"^  (\w+/\w+)\s+([\d,]+) rows$", printed, re.MULTILINE)
    }
    assert sorted(generated) == sorted(t.key for t in RAW_TABLES)
    total = re.search(r"^  total\s+([\d,]+) rows in [\d.]+ s \(([\d,]+) rows/s\)$", printed, re.M)
    assert total is not None
    assert int(total.group(1).replace(",", "")) == sum(generated.values())
    report = load_raw_dir(out, db_path)
    assert report.rows_per_table == {t.relation: generated[t.key] for t in RAW_TABLES}


def test_run_scale_generates_once_then_reuses(tmp_path: Path):
    messages: list[str] = []

    out, first = ensure_generated(tmp_path, 0.001, 5, echo=messages.append)
    again, second = ensure_generated(tmp_path, 0.001, 5, echo=messages.append)

    assert out == again == tmp_path / "data" / "generated" / "sf0.001_seed5"
    assert first is not None and first.total_rows > 0
    assert second is None
    assert messages == [
        f"Generating scale 0.001, seed 5 into {out}",
        f"Reusing generated data in {out}",
    ]

    (out / "_truth" / "manifest.json").unlink()  # as if interrupted
    _, third = ensure_generated(tmp_path, 0.001, 5, echo=messages.append)
    assert third is not None
    assert third.rows_per_table == first.rows_per_table


def test_largest_staging_relation_counts_views(tmp_path: Path):
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    try:
        con.execute("create schema staging")
        con.execute("create schema marts")
        con.execute("create view staging.stg_small as select * from range(3)")
        con.execute("create view staging.stg_large as select * from range(11)")
        con.execute("create view staging.base_larger as select * from range(50)")
        con.execute("create table marts.fct_huge as select * from range(100)")
    finally:
        con.close()

    assert largest_staging_relation(db) == ("staging.stg_large", 11)


def test_bench_report_prints_every_figure(capsys: pytest.CaptureFixture[str]):
    nodes = [
        {"unique_id": "model.redcat.a", "seconds": 30.0, "status": "success"},
        {"unique_id": "test.redcat.t", "seconds": 6.5, "status": "pass"},
    ]
    phases = {"staging_intermediate": 50.0, "gates": 0.5, "contract": 3.0, "marts": 10.0}
    report = BenchReport(
        scale=0.5,
        seed=42,
        generated_rows=1_000_000,
        generate_seconds=4.0,
        floor_seconds=10.0,
        parse_seconds=20.0,
        raw_bytes=2**30,
        warehouse_bytes=3 * 2**29,
        full_run=RunFigures(80.0, {"load": 5.0, **phases, "publish": 1.5}, nodes, 2 * 2**30, 0),
        day_run=RunFigures(16.0, {"staging_intermediate": 10.0}, [], 2**30, 0),
        day_partition="2025-06-30",
        largest_staging=("staging.stg_xhs__note_events", 800_000),
        machine={
            "cpus": 2,
            "load_average_start": [1.0, 1.0, 1.0],
            "load_average_end": [2.0, 1.0, 1.0],
            "duckdb": "2.0.0",
        },
    )

    print_report(report)

    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "redcat bench: scale 0.5, seed 42, 2 CPUs, load 1.00 -> 2.00, duckdb 2.0.0"
    assert [" ".join(line.split()) for line in lines[2:]] == [
        "generate 4.0 s 1,000,000 rows, 250,000 rows/s",
        "T_floor 10.0 s",
        "dbt parse (cold) 20.0 s",
        "full run 80.0 s peak RSS 2.00 GiB",
        "load 5.0 s",
        "staging_intermediate 50.0 s",
        "gates 0.5 s",
        "contract 3.0 s",
        "marts 10.0 s",
        "publish 1.5 s",
        "(dbt tests, summed) 6.5 s",
        "day run 2025-06-30 16.0 s peak RSS 1.00 GiB, cold dbt parses 0",
        "staging_intermediate 10.0 s",
        "warehouse file 1.50 GiB raw files 1.00 GiB",
        "largest staging 800,000 rows staging.stg_xhs__note_events",
        "slowest dbt nodes of the full run (2 nodes):",
        "30.0 s model.redcat.a",
        "6.5 s test.redcat.t",
        "ratios:",
        "full_run_over_floor 8.000",
        "day_run_over_full_run 0.200",
        "contract_over_build 0.050",
        "warehouse_over_raw 1.500",
    ]


# --- set-up, CI and README agree ------------------------------------------------


def readme_commands() -> list[str]:
    """The commands of the first shell block after README's "Two commands" heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Two commands", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def test_ci_runs_exactly_the_readme_test_command():
    commands = readme_commands()
    assert commands == ["make run", "make test"]
    ci = ROOT / ".ci" / "run"
    lines = [line for line in ci.read_text().splitlines() if line.strip()]

    assert ci.stat().st_mode & 0o111
    assert lines[0] == "#!/usr/bin/env bash"
    assert lines[1] == "set -euo pipefail"
    assert lines[2].startswith("cd ")
    assert lines[3:] == [commands[1]]


def test_makefile_targets_call_the_scripts():
    makefile = (ROOT / "Makefile").read_text()

    assert re.search(r"^test:\n\tscripts/test\.sh$", makefile, re.MULTILINE)
    assert re.search(r"^run: bootstrap\n\t\.venv/bin/redcat run \$\(ARGS\)$", makefile, re.M)
    assert re.search(r"^bootstrap:\n\tscripts/bootstrap\.sh$", makefile, re.MULTILINE)


def test_readme_documents_every_environment_variable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    for name in ENVIRONMENT:
        assert f"| `{name}` |" in readme, name


def test_bootstrap_rejects_a_python_other_than_3_11(tmp_path: Path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake = fake_bin / "python3"
    fake.write_text('#!/bin/sh\necho "3.12"\n')
    fake.chmod(0o755)

    completed = subprocess.run(
        [str(ROOT / "scripts" / "bootstrap.sh")],
        env={"PATH": f"{fake_bin}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 1
    assert "python3 on PATH is Python 3.12" in completed.stderr
    assert "redcat needs Python 3.11" in completed.stderr


@pytest.mark.slow
def test_run_without_a_terminal_prints_one_line_per_step_and_the_summary_last(db_path: Path):
    completed = subprocess.run(
        [str(redcat_executable()), "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stderr == ""
    lines = completed.stdout.splitlines()
    assert len(lines) <= 60
    steps = [line.split(":", 1)[0] for line in lines[:6]]
    assert steps == [
        "raw data",
        "staging and intermediate",
        "data contract",
        "publish gates",
        "marts",
        "publish",
    ] or steps == [
        "raw data",
        "staging and intermediate",
        "publish gates",
        "data contract",
        "marts",
        "publish",
    ]
    assert lines[0].startswith("raw data: the committed seeds (seeds/) in ")
    assert re.match(r"^staging and intermediate: \d+ dbt nodes in [\d.]+ s$", lines[1])
    assert re.match(r"^redcat run finished in [\d.]+ s$", lines[7])
    log = db_path.parent / "logs" / "redcat-run.log"
    assert lines[-1] == f"Log (dbt, Dagster, Great Expectations): {log}"
    assert log.stat().st_size > 0
    for noise in ("leaked", "Traceback", "INFO", "WARNING", "Warning"):
        assert noise not in completed.stdout, noise
    assert f"Published for BI: {db_path.parent / 'published' / 'redcat_marts.duckdb'}" in (
        completed.stdout
    )
