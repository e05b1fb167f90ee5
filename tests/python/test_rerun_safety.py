"""Safe re-runs: a build can be repeated and interrupted without harming the marts.

One tiny generated raw directory is loaded and built once (module-scoped);
the tests then rebuild, and kill `dbt build` (SIGKILL to its process group,
like a lost machine) part-way, against that warehouse, waiting until every
process of the group is gone. Marts are compared by checksum: per relation of
schema `marts`, the row count and the sum of a hash of every row, which does
not depend on row order.

A kill that lands between dbt's commit of a table and its drop of the old
copy leaves `<name>__dbt_backup` behind (which model, if any, depends on the
moment): it is no mart, and the next build drops it and says so.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from checksums import Checksum, schema_checksums
from processes import kill_group

from redcat.generate import write_raw_dir
from redcat.load import load_raw_dir
from redcat.warehouse import DBT_ENTRY_POINT, connect, dbt_env, project_root, run_dbt

pytestmark = pytest.mark.slow

ROOT = project_root()
SCALE = 0.001
SEED = 7
OTHER_SEED = 8
# unit tests do not read the warehouse: left out to keep the builds short
BUILD = ["build", "--exclude", "resource_type:unit_test"]
LEFTOVER_SUFFIXES = ("__dbt_backup", "__dbt_tmp")
DROPPED = re.compile(r"redcat: dropped (\S+), left behind by an interrupted build")

Checksums = dict[str, Checksum]
RecordProperty = Callable[[str, object], None]


@dataclass
class Warehouse:
    db_path: Path
    work: Path
    raw_dir: Path
    other_raw_dir: Path
    built_from: Path | None = None  # the raw directory the marts were last built from
    loaded: Path | None = None  # the raw directory in schema raw

    @property
    def env(self) -> dict[str, str]:
        return {
            "DBT_TARGET_PATH": str(self.work / "target"),
            "DBT_LOG_PATH": str(self.work / "logs"),
        }

    def load(self, raw_dir: Path) -> None:
        load_raw_dir(raw_dir, self.db_path)
        self.loaded = raw_dir

    def build(self) -> None:
        self.built_from = None
        run_dbt(BUILD, db_path=self.db_path, extra_env=self.env)
        self.built_from = self.loaded

    def ensure_built_from(self, raw_dir: Path) -> None:
        """Marts built from `raw_dir`, building only when the last build was not."""
        if self.built_from != raw_dir:
            self.load(raw_dir)
            self.build()

    def build_killed_at(self, pattern: str) -> str:
        """Start `dbt build`, SIGKILL its process group once a log line matches `pattern`.

        Returns the matching line; fails if dbt ends before it.
        """
        command = [
            sys.executable,
            "-c",
            DBT_ENTRY_POINT,
            *BUILD,
            "--project-dir",
            str(ROOT),
            "--profiles-dir",
            str(ROOT),
        ]
        env = dbt_env(self.db_path, {**self.env, "PYTHONUNBUFFERED": "1"})
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.built_from = None
        matched = None
        try:
            assert process.stdout is not None
            for line in process.stdout:
                if re.search(pattern, line):
                    matched = line.strip()
                    break
        finally:
            # the whole group, and wait until every process of it is gone: nothing
            # may still hold the warehouse file when the test looks at it
            kill_group(process.pid)
            process.wait(timeout=60)
            if process.stdout is not None:
                process.stdout.close()
        assert matched is not None, (
            f"dbt build ended (code {process.returncode}) before {pattern!r}"
        )
        assert process.returncode == -signal.SIGKILL
        return matched


def mart_checksums(db_path: Path) -> Checksums:
    """Per mart table: (rows, sum of a hash of every row) — independent of row order.

    Leftovers of an interrupted build (LEFTOVER_SUFFIXES) are no marts: the
    next build drops them."""
    return schema_checksums(db_path, "marts", skip_suffixes=LEFTOVER_SUFFIXES)


def leftover_relations(db_path: Path) -> list[str]:
    """Relations dbt builds under a temporary name (`__dbt_tmp`, `__dbt_backup`)."""
    with connect(db_path, read_only=True) as con:
        return [
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables "
                r"where table_name like '%\_\_dbt\_%' escape '\'"
            ).fetchall()
        ]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    work = tmp_path_factory.mktemp("rerun")
    raw_dir, other_raw_dir = work / "raw", work / "raw_other"
    write_raw_dir(raw_dir, SCALE, SEED, progress=False)
    write_raw_dir(other_raw_dir, SCALE, OTHER_SEED, progress=False)
    built = Warehouse(work / "warehouse.duckdb", work, raw_dir, other_raw_dir)
    built.ensure_built_from(raw_dir)
    return built


def test_two_builds_of_the_same_input_give_identical_marts(warehouse: Warehouse) -> None:
    warehouse.ensure_built_from(warehouse.raw_dir)
    first = mart_checksums(warehouse.db_path)
    assert len(first) >= 16
    assert all(rows > 0 for rows, _ in first.values())

    warehouse.build()

    assert mart_checksums(warehouse.db_path) == first


def rebuild_dropping(warehouse: Warehouse, capfd: pytest.CaptureFixture[str]) -> list[str]:
    """Build again; the leftover relations the build said it dropped."""
    capfd.readouterr()
    warehouse.build()  # raises DbtRunError if the warehouse was harmed
    return sorted(DROPPED.findall(capfd.readouterr().out))


def test_a_build_killed_in_staging_leaves_the_marts_and_the_next_build_succeeds(
    warehouse: Warehouse, capfd: pytest.CaptureFixture[str], record_property: RecordProperty
) -> None:
    warehouse.ensure_built_from(warehouse.raw_dir)
    before = mart_checksums(warehouse.db_path)

    line = warehouse.build_killed_at(r"START sql \w+ model staging\.")

    assert "staging." in line
    assert mart_checksums(warehouse.db_path) == before
    left = leftover_relations(warehouse.db_path)
    record_property("left_by_the_kill", " ".join(left))  # which, if any, depends on the moment
    assert all(name.endswith(LEFTOVER_SUFFIXES) for name in left)
    assert rebuild_dropping(warehouse, capfd) == sorted(left)
    assert leftover_relations(warehouse.db_path) == []
    assert mart_checksums(warehouse.db_path) == before


def test_a_build_killed_in_the_marts_leaves_every_mart_whole(
    warehouse: Warehouse, capfd: pytest.CaptureFixture[str], record_property: RecordProperty
) -> None:
    """New input, killed once the first mart is replaced: each mart is old or new, never
    a mix of both; the set of marts is not swapped at once (docs/faults.md). Whatever
    the kill left under a temporary name, the next build drops, and says so."""
    warehouse.ensure_built_from(warehouse.raw_dir)
    old = mart_checksums(warehouse.db_path)
    warehouse.load(warehouse.other_raw_dir)

    warehouse.build_killed_at(r"OK created sql table model marts\.")

    interrupted = mart_checksums(warehouse.db_path)
    left = leftover_relations(warehouse.db_path)
    record_property("left_by_the_kill", " ".join(left))  # which, if any, depends on the moment
    assert all(name.endswith(LEFTOVER_SUFFIXES) for name in left)
    assert rebuild_dropping(warehouse, capfd) == sorted(left)
    assert leftover_relations(warehouse.db_path) == []
    new = mart_checksums(warehouse.db_path)
    assert set(interrupted) == set(old) == set(new)
    assert new != old
    for name, checksum in interrupted.items():
        assert checksum in (old[name], new[name]), name
    replaced = [n for n in interrupted if interrupted[n] == new[n] != old[n]]
    assert replaced, "the kill came after a mart was replaced"
