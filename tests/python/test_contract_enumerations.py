"""The enumerations dbt checks are exactly the ones in src/redcat/contract.py.

Staging quarantines any value outside the lists of the `contract_values` macro
(macros/staging/contract_values.sql), and the staging YAML tests the accepted
rows with `accepted_values`. Both are written out by hand; these tests read
them (the macro through Jinja's parser, the YAML with PyYAML) and compare each
list with contract.py, values and order included.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import jinja2
import jinja2.nodes
import pytest
import yaml

from redcat import contract
from redcat.warehouse import project_root

ROOT = project_root()
MACRO = Path("macros/staging/contract_values.sql")
STAGING = Path("models/staging")

# (model, column) of every accepted_values test in the staging YAML -> the
# contract enumeration it must list. A test missing here, or listed here and
# missing in the YAML, is a difference too.
YAML_ENUMERATIONS: dict[tuple[str, str], str] = {
    ("stg_xhs__accounts", "account_type"): "ACCOUNT_TYPES",
    ("stg_xhs__accounts", "industry"): "INDUSTRIES",
    ("stg_xhs__notes", "note_kind"): "NOTE_KINDS",
    ("stg_xhs__notes", "industry"): "INDUSTRIES",
    ("stg_xhs__notes", "link_platform"): "LINK_PLATFORMS",
    ("stg_xhs__note_events", "event_type"): "EVENT_TYPES",
    ("stg_xhs__ad_spend_days", "boost_type"): "BOOST_TYPES",
    ("stg_tb__shops", "industry"): "INDUSTRIES",
    ("stg_tb__visits", "channel"): "TB_CHANNELS",
    ("stg_tb__orders", "order_status"): "TB_ORDER_STATUSES",
    ("stg_jd__shops", "industry"): "INDUSTRIES",
    ("stg_jd__orders", "order_state"): "JD_ORDER_STATES.keys",
    ("stg_jd__orders", "order_status"): "JD_ORDER_STATES",
    ("stg_shared__user_matches", "platform"): "MATCH_PLATFORMS",
    ("stg_shared__user_matches", "match_method"): "MATCH_METHODS",
    ("stg_quarantine__rejected_rows", "source_table"): "RAW_TABLES.relation",
}


def contract_enumerations() -> dict[str, list[Any]]:
    """Every enumeration contract.py defines, by its constant's name, as a list.

    An enumeration is a module constant that is a tuple of strings, or a dict of
    integer codes to strings (JD_ORDER_STATES: its values in code order, its
    codes under `<NAME>.keys`). RAW_TABLES.relation lists the raw relations.
    """
    found: dict[str, list[Any]] = {}
    for name, value in vars(contract).items():
        if not name.isupper():
            continue
        if isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
            found[name] = list(value)
        elif (
            isinstance(value, dict)
            and value
            and all(isinstance(k, int) and isinstance(v, str) for k, v in value.items())
        ):
            found[name] = [value[code] for code in sorted(value)]
            found[f"{name}.keys"] = sorted(value)
    found["RAW_TABLES.relation"] = [table.relation for table in contract.RAW_TABLES]
    return found


def macro_enumerations(project: Path) -> dict[str, Any]:
    """The `enumerations` literal of the contract_values macro, as Python values."""
    source = (project / MACRO).read_text(encoding="utf-8")
    tree = jinja2.Environment(extensions=["jinja2.ext.do"]).parse(source)
    assigned = [
        node.node
        for node in tree.find_all(jinja2.nodes.Assign)
        if isinstance(node.target, jinja2.nodes.Name) and node.target.name == "enumerations"
    ]
    assert len(assigned) == 1, f"{MACRO}: expected one `set enumerations = {{...}}`"
    value = assigned[0].as_const()
    assert isinstance(value, dict)
    return value


def yaml_accepted_values(project: Path) -> dict[tuple[str, str], list[Any]]:
    """(model, column) -> values of every accepted_values test in the staging YAML."""
    found: dict[tuple[str, str], list[Any]] = {}
    for path in sorted((project / STAGING).rglob("*.yml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for node in [*spec.get("models", []), *spec.get("seeds", [])]:
            for column in node.get("columns", []):
                for test in [*column.get("data_tests", []), *column.get("tests", [])]:
                    if not isinstance(test, dict) or "accepted_values" not in test:
                        continue
                    config = test["accepted_values"]
                    values = config.get("arguments", {}).get("values", config.get("values"))
                    key = (node["name"], column["name"])
                    assert key not in found, f"{path}: two accepted_values tests on {key}"
                    found[key] = values
    return found


def enumeration_differences(project: Path) -> list[str]:
    """Every way the macro and the YAML differ from contract.py; empty when they agree."""
    expected = contract_enumerations()
    problems: list[str] = []

    in_macro = macro_enumerations(project)
    in_contract = {name.lower(): name for name in expected if name.isupper()}
    for enumeration in sorted(set(in_macro) - set(in_contract)):
        problems.append(f"macro: {enumeration} is not a contract enumeration")
    for enumeration in sorted(set(in_contract) - set(in_macro)):
        problems.append(f"macro: {in_contract[enumeration]} is missing")
    for enumeration in sorted(set(in_macro) & set(in_contract)):
        want = expected[in_contract[enumeration]]
        if in_macro[enumeration] != want:
            problems.append(f"macro: {enumeration} is {in_macro[enumeration]!r}, contract {want!r}")

    in_yaml = yaml_accepted_values(project)
    for key in sorted(set(in_yaml) - set(YAML_ENUMERATIONS)):
        problems.append(f"yaml: accepted_values on {key} is not mapped to a contract enumeration")
    for key in sorted(set(YAML_ENUMERATIONS) - set(in_yaml)):
        problems.append(f"yaml: accepted_values on {key} is missing")
    for key in sorted(set(in_yaml) & set(YAML_ENUMERATIONS)):
        want = expected[YAML_ENUMERATIONS[key]]
        if in_yaml[key] != want:
            problems.append(f"yaml: {key} is {in_yaml[key]!r}, contract {want!r}")
    return problems


def test_macro_and_yaml_list_exactly_the_contract_enumerations() -> None:
    assert enumeration_differences(ROOT) == []


def test_jd_order_status_decodes_codes_with_the_macro_list() -> None:
    """jd_order_status holds no list of its own: code n is the n-th jd_order_states value."""
    source = (ROOT / "macros/staging/jd_order_status.sql").read_text(encoding="utf-8")
    tree = jinja2.Environment(extensions=["jinja2.ext.do"]).parse(source)
    calls = [
        call.args[0].as_const()
        for call in tree.find_all(jinja2.nodes.Call)
        if isinstance(call.node, jinja2.nodes.Name) and call.node.name == "contract_values"
    ]
    assert calls == ["jd_order_states"]
    assert "when {{ loop.index }} then '{{ status }}'" in source
    assert sorted(contract.JD_ORDER_STATES) == list(range(1, len(contract.JD_ORDER_STATES) + 1))


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / STAGING, tmp_path / STAGING)
    (tmp_path / MACRO).parent.mkdir(parents=True)
    shutil.copy(ROOT / MACRO, tmp_path / MACRO)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_changed_value_in_the_macro_is_reported(project_copy: Path) -> None:
    assert enumeration_differences(project_copy) == []
    _edit(project_copy / MACRO, "'link_click']", "'link-click']")
    _edit(project_copy / MACRO, "'match_methods': ['phone_hash', 'device', 'login'],", "")
    assert enumeration_differences(project_copy) == [
        "macro: MATCH_METHODS is missing",
        "macro: event_types is ['impression', 'read', 'like', 'save', 'comment', 'share', "
        "'follow', 'link-click'], contract ['impression', 'read', 'like', 'save', 'comment', "
        "'share', 'follow', 'link_click']",
    ]


def test_a_reordered_jd_state_in_the_macro_is_reported(project_copy: Path) -> None:
    _edit(
        project_copy / MACRO,
        "['paid', 'shipped', 'completed', 'refunded', 'cancelled'],\n        'match",
        "['paid', 'shipped', 'completed', 'cancelled', 'refunded'],\n        'match",
    )
    assert enumeration_differences(project_copy) == [
        "macro: jd_order_states is ['paid', 'shipped', 'completed', 'cancelled', 'refunded'], "
        "contract ['paid', 'shipped', 'completed', 'refunded', 'cancelled']",
    ]


def test_a_changed_or_unmapped_value_in_the_yaml_is_reported(project_copy: Path) -> None:
    tb = project_copy / STAGING / "tb" / "_tb__models.yml"
    _edit(
        tb,
        '["xhs_ad_link", "search", "home_feed", "live", "other"]',
        '["xhs_ad_link", "search", "home_feed", "live"]',
    )
    jd = project_copy / STAGING / "jd" / "_jd__models.yml"
    _edit(jd, "values: [1, 2, 3, 4, 5]", 'values: ["1", "2", "3", "4", "5"]')
    xhs = project_copy / STAGING / "xhs" / "_xhs__models.yml"
    _edit(
        xhs,
        '      - name: nickname\n        description: "Display name, any Unicode, trimmed."\n'
        "        data_tests:\n          - not_null\n",
        '      - name: nickname\n        description: "Display name, any Unicode, trimmed."\n'
        "        data_tests:\n          - not_null\n          - accepted_values:\n"
        '              arguments:\n                values: ["a"]\n',
    )
    assert enumeration_differences(project_copy) == [
        "yaml: accepted_values on ('stg_xhs__accounts', 'nickname') is not mapped to a "
        "contract enumeration",
        "yaml: ('stg_jd__orders', 'order_state') is ['1', '2', '3', '4', '5'], "
        "contract [1, 2, 3, 4, 5]",
        "yaml: ('stg_tb__visits', 'channel') is ['xhs_ad_link', 'search', 'home_feed', "
        "'live'], contract ['xhs_ad_link', 'search', 'home_feed', 'live', 'other']",
    ]


def test_a_removed_yaml_test_is_reported(project_copy: Path) -> None:
    shared = project_copy / STAGING / "shared" / "_shared__models.yml"
    _edit(
        shared,
        "          - accepted_values:\n              arguments:\n"
        '                values: ["phone_hash", "device", "login"]\n',
        "",
    )
    assert enumeration_differences(project_copy) == [
        "yaml: accepted_values on ('stg_shared__user_matches', 'match_method') is missing",
    ]
