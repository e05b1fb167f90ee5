"""The raw contract has one home: the var `raw_contract` of dbt_project.yml.

src/redcat/contract.py (generator, loader, seeds) and the staging macros
(base_ views, _checked tables, the enumerations of the staging tests) read
it; nothing else lists a table's columns or an enumeration's values. These
tests change the declaration and show that each reader follows.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from redcat import contract
from redcat.warehouse import project_root

ROOT = project_root()


def declaration() -> dict[str, Any]:
    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    declared: dict[str, Any] = project["vars"]["raw_contract"]
    return declared


def with_a_new_column_and_event_type() -> dict[str, Any]:
    """The declaration with a required `device` column in xhs/note_events and a `repost` event."""
    changed = declaration()
    changed["enumerations"]["event_types"].append("repost")
    columns = changed["tables"]["xhs__note_events"]["columns"]
    columns.insert(4, {"name": "device", "values": "event_types", "description": "test"})
    return changed


def test_the_python_contract_is_the_declaration() -> None:
    declared = declaration()
    assert contract.raw_tables(declared) == contract.RAW_TABLES
    assert [t.relation for t in contract.RAW_TABLES] == list(declared["tables"])
    assert tuple(declared["enumerations"]["event_types"]) == contract.EVENT_TYPES
    assert contract.JD_ORDER_STATES == {
        1: "paid",
        2: "shipped",
        3: "completed",
        4: "refunded",
        5: "cancelled",
    }
    events = contract.TABLES_BY_KEY["xhs/note_events"]
    assert events.column_names == ("event_id", "note_id", "user_key", "event_type", "event_ms")
    assert [c.type for c in events.columns] == ["text", "text", "text", "text", "bigint"]
    assert events.usual_format == "parquet"


def test_python_follows_a_changed_declaration() -> None:
    tables = {t.key: t for t in contract.raw_tables(with_a_new_column_and_event_type())}
    assert tables["xhs/note_events"].column_names == (
        "event_id",
        "note_id",
        "user_key",
        "event_type",
        "device",
        "event_ms",
    )


def test_staging_follows_a_changed_declaration(tmp_path: Path) -> None:
    """One declared column is a checked, typed, quarantined column: nothing else is edited."""
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_PROFILES_DIR": str(ROOT),
    }
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [
            str(dbt),
            "compile",
            "--target",
            "lint",
            "--select",
            "base_xhs__note_events base_xhs__note_events_checked",
            "--vars",
            json.dumps({"raw_contract": with_a_new_column_and_event_type()}),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    compiled = tmp_path / "target" / "compiled" / "redcat" / "models" / "staging" / "xhs" / "base"
    base = (compiled / "base_xhs__note_events.sql").read_text(encoding="utf-8")
    checked = (compiled / "base_xhs__note_events_checked.sql").read_text(encoding="utf-8")
    assert "cast(device as" in base
    rules = re.findall(r"then '([a-z0-9_]+)'\n", checked)
    assert rules == [
        "event_id_missing",
        "note_id_missing",
        "user_key_missing",
        "event_type_missing",
        "device_missing",
        "event_ms_missing",
        "conflicting_duplicate_key",
        "resent_duplicate",
        "user_key_not_64_lowercase_hex",
        "event_type_not_in_contract",
        "device_not_in_contract",
        "event_ms_not_epoch_milliseconds",
        "event_ms_in_future",
        "event_ms_implausible",
    ]
    assert "'follow', 'link_click', 'repost')" in checked
    assert "'device', checked.raw__device," in checked
