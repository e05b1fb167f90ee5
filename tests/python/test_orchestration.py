"""The Dagster definitions: they load, materialise in-process against a temporary
warehouse, stop the marts when the contract fails, and rebuild a partition
without duplicating rows."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest
from checksums import Checksum, schema_checksums

from orchestration.assets.dbt import FULL_REFRESH_TAG, dbt_build_args, dbt_build_env
from orchestration.assets.publish import PUBLICATION_KEY
from orchestration.assets.raw import RAW_DATA_KEY
from orchestration.checks.contract import CHECK_NAME, contract_rows_from
from orchestration.definitions import build_definitions
from orchestration.partitions import daily_partitions, vars_for_partition_key
from orchestration.resources import (
    ContractResource,
    ServerContractResource,
    ServerWarehouseResource,
    SparkContractResource,
    SparkWarehouseResource,
)
from redcat.contract import RAW_TABLES
from redcat.pipeline import (
    ModelCatalog,
    dbt_project_paths,
    load_manifest,
    manifest_is_current,
    prepare_manifest,
    read_publication_record,
)
from redcat.warehouse import project_root

ROOT = project_root()
SHANGHAI = ZoneInfo("Asia/Shanghai")
PARTITION = "2025-05-13"
PARTITION_VARS = {"partition_start_date": "2025-05-13", "partition_end_date": "2025-05-14"}
LAYERS = ("staging", "intermediate", "marts")
# What dbt declares (meta on the models), as the definitions must read it.
CONTRACT_JOIN_MODELS = [
    "int_shop_links_resolved",
    "int_user_matches_resolved",
    "int_conversions_unified",
    "int_touchpoints_joined_to_orders",
    "int_attribution_credits_computed",
]
EVENT_DRIVEN_MODELS = {
    *(
        f"{prefix}{table}{suffix}"
        for table in (
            "xhs__note_events",
            "xhs__ad_spend_daily",
            "xhs__shop_orders",
            "tb__visits",
            "tb__searches",
            "tb__orders",
            "jd__orders",
        )
        for prefix, suffix in (("base_", ""), ("base_", "_checked"))
    ),
    "stg_xhs__note_events",
    "stg_xhs__ad_spend_days",
    "stg_xhs__shop_orders",
    "stg_tb__visits",
    "stg_tb__searches",
    "stg_tb__orders",
    "stg_jd__orders",
    "int_touchpoints_classified",
    "int_conversions_unified",
    "int_touchpoints_joined_to_orders",
    "int_attribution_credits_computed",
    "int_campaign_credits_allocated",
    "int_brand_exposures_tracked",
    "int_note_days_aggregated",
    "int_funnel_days_aggregated",
    "int_brand_spend_days_aggregated",
    "fct_note_daily",
    "fct_seeding_funnel_daily",
    "fct_conversions",
    "fct_attributed_orders",
    "mart_joint_campaign_merchants",
}


def contract_missing() -> str | None:
    """Why the contract runner cannot be used, or None when it can."""
    try:
        from redcat.contract_checks import results_by_relation, run_contract  # noqa: F401
    except ImportError as error:
        return f"redcat.contract_checks is not available yet ({error})"
    return None


requires_contract = pytest.mark.skipif(
    contract_missing() is not None, reason=contract_missing() or ""
)


def catalog() -> ModelCatalog:
    return ModelCatalog(load_manifest(dbt_project_paths()))


def manifest_nodes() -> dict[str, dict[str, Any]]:
    return dict(catalog().manifest["nodes"])


def model_key(node: dict[str, Any]) -> dg.AssetKey:
    return dg.AssetKey([node["schema"], node["name"]])


def models_in(layer: str) -> dict[str, dict[str, Any]]:
    return {
        n["name"]: n
        for n in manifest_nodes().values()
        if n["resource_type"] == "model" and n["fqn"][1] == layer
    }


def gx_copy(target: Path) -> Path:
    """The versioned GX project, copied so the contract writes its results there."""
    shutil.copytree(ROOT / "gx", target, ignore=shutil.ignore_patterns("uncommitted"))
    return target


def contract_resource(tmp: Path) -> ContractResource:
    return ContractResource(build_data_docs=True, gx_root=str(gx_copy(tmp / "gx")))


def use_env(mp: pytest.MonkeyPatch, workdir: Path, dbt_target: Path) -> Path:
    """Point the warehouse, dbt's target and logs at `workdir`; returns the warehouse."""
    db_path = workdir / "warehouse.duckdb"
    mp.setenv("REDCAT_DUCKDB_PATH", str(db_path))
    mp.setenv("DBT_TARGET_PATH", str(dbt_target))
    mp.setenv("DBT_LOG_PATH", str(workdir / "logs"))
    mp.delenv("DBT_TARGET", raising=False)
    return db_path


def execute(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    *,
    job_name: str | None = None,
    partition_key: str = PARTITION,
    run_config: dict[str, Any] | None = None,
) -> dg.ExecuteInProcessResult:
    job = (
        defs.resolve_job_def(job_name) if job_name else defs.resolve_implicit_global_asset_job_def()
    )
    return job.execute_in_process(
        partition_key=partition_key,
        instance=instance,
        run_config=run_config or {},
        raise_on_error=False,
    )


def materialized(result: dg.ExecuteInProcessResult) -> dict[dg.AssetKey, dg.AssetMaterialization]:
    found: dict[dg.AssetKey, dg.AssetMaterialization] = {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            found[mat.asset_key] = mat
    return found


def step_starts(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}


def contract_evaluations(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    return {
        e.asset_key.path[-1]: e
        for e in result.get_asset_check_evaluations()
        if e.check_name == CHECK_NAME
    }


def table_counts(db_path: Path, schema: str) -> dict[str, int]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = ? "
                "and table_type = 'BASE TABLE'",
                [schema],
            ).fetchall()
        ]
        return {n: con.execute(f'select count(*) from {schema}."{n}"').fetchone()[0] for n in names}


@pytest.fixture(scope="module")
def dbt_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One dbt target folder for the module, so the project is parsed once."""
    return tmp_path_factory.mktemp("dbt_target")


@pytest.fixture(autouse=True)
def shared_target(monkeypatch: pytest.MonkeyPatch, dbt_target: Path) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(dbt_target))


# -- definitions -------------------------------------------------------------


def test_definitions_load_with_layers_partitions_and_blocking_contract() -> None:
    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    nodes = manifest_nodes()
    models = {n["name"]: n for n in nodes.values() if n["resource_type"] == "model"}
    seeds = [n for n in nodes.values() if n["resource_type"] == "seed"]

    assert graph.get(RAW_DATA_KEY).group_name == "raw"
    assert {graph.get(model_key(s)).group_name for s in seeds} == {"raw"}
    assert len(seeds) == len(RAW_TABLES)
    for name, node in models.items():
        assert graph.get(model_key(node)).group_name == node["fqn"][1], name

    # every base view reads the raw data (and its seed)
    base_views = [
        n
        for name, n in models.items()
        if name.startswith("base_") and n["config"]["materialized"] == "view"
    ]
    assert len(base_views) == len(RAW_TABLES)
    for node in base_views:
        assert RAW_DATA_KEY in graph.get(model_key(node)).parent_keys, node["name"]

    # daily partitions exactly on the event-driven models, as dbt declares them, over the
    # data's days (dbt vars partitions_first_day, partitions_last_day)
    assert len(EVENT_DRIVEN_MODELS) == 35
    assert catalog().partitioned_models() == EVENT_DRIVEN_MODELS
    partitioned = {k.path[-1] for k in graph.get_all_asset_keys() if graph.get(k).partitions_def}
    assert partitioned == EVENT_DRIVEN_MODELS & set(models)
    partitions = graph.get(model_key(models["fct_note_daily"])).partitions_def
    assert partitions == daily_partitions(catalog().pipeline_vars())
    keys = partitions.get_partition_keys()
    assert (keys[0], keys[-1], len(keys)) == ("2024-01-01", "2025-06-30", 547)
    assert partitions.timezone == "Asia/Shanghai"

    # the contract: one blocking check per join model; every mart after all of them
    assert catalog().contract_guarded_models() == CONTRACT_JOIN_MODELS
    join_keys = {model_key(models[m]) for m in CONTRACT_JOIN_MODELS}
    assert len(join_keys) == 5
    contract_checks = {k for k in graph.asset_check_keys if k.name == CHECK_NAME}
    assert {k.asset_key for k in contract_checks} == join_keys
    for key in contract_checks:
        assert graph.get(key).blocking is True
    marts = models_in("marts")
    assert marts
    for name, node in marts.items():
        mart = graph.get(model_key(node))
        assert join_keys <= mart.parent_keys, name
        assert mart.freshness_policy == dg.FreshnessPolicy.cron(
            deadline_cron="0 6 * * *",
            lower_bound_delta=timedelta(hours=24),
            timezone="Asia/Shanghai",
        )

    # dbt tests are asset checks; dbt docs are the descriptions
    note_daily = model_key(models["fct_note_daily"])
    assert any(k.asset_key == note_daily for k in graph.asset_check_keys)
    assert models["fct_note_daily"]["description"]
    assert graph.get(note_daily).description.startswith(models["fct_note_daily"]["description"])

    assert isinstance(defs.executor, dg.ExecutorDefinition)
    assert defs.executor.name == "in_process"


@pytest.mark.parametrize(
    ("target", "warehouse_type", "contract_type"),
    [
        ("spark", SparkWarehouseResource, SparkContractResource),
        ("postgres", ServerWarehouseResource, ServerContractResource),
    ],
)
def test_definitions_load_on_the_other_engines(
    target: str,
    warehouse_type: type,
    contract_type: type,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """DBT_TARGET=spark or postgres: the same asset graph, parsed for that engine, with
    that engine's resources."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("REDCAT_SPARK_DIR", str(tmp_path / "spark"))
    monkeypatch.setenv("DBT_TARGET", target)

    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}

    assert manifest["metadata"]["adapter_type"] == target
    assert {model_key(node) for node in models.values()} <= graph.get_all_asset_keys()
    assert RAW_DATA_KEY in graph.get_all_asset_keys()
    resources = defs.resources
    assert resources["dbt"].target == target
    assert type(resources["warehouse"]) is warehouse_type
    assert type(resources["contract"]) is contract_type
    if target == "spark":
        assert resources["warehouse"].spark_dir == str(tmp_path / "spark")
        # incremental models replace their day partitions on Spark
        note_daily = models["fct_note_daily"]["config"]
        assert note_daily["incremental_strategy"] == "insert_overwrite"
        assert note_daily["partition_by"] == ["local_date"]


@pytest.mark.slow
def test_manifest_is_parsed_only_when_stale() -> None:
    project = dbt_project_paths()
    prepare_manifest(project)
    assert manifest_is_current(project)
    assert prepare_manifest(project) is False
    (project.manifest_path.parent / "manifest.fingerprint").unlink()
    assert manifest_is_current(project) is False
    assert prepare_manifest(project) is True
    assert manifest_is_current(project)


def test_the_contract_reads_a_partition_run_from_its_first_rebuilt_day() -> None:
    settings = catalog().pipeline_vars()
    assert settings.partition_lookback_days == 7  # click_lookback_days 7, view 24 h
    assert contract_rows_from("2025-05-13", settings) == date(2025, 5, 6)
    assert contract_rows_from(None, settings) is None
    assert contract_rows_from("2025-05-13", settings, full_refresh=True) is None
    # on Spark the check says why the suites do not run, partition run or not
    for rows_from in (None, date(2025, 5, 6)):
        with pytest.raises(dg.Failure, match="does not run on Spark"):
            SparkContractResource().validate(Path("warehouse.duckdb"), settings, rows_from)


def test_partition_vars_and_dbt_arguments() -> None:
    partitions = daily_partitions(catalog().pipeline_vars())
    assert vars_for_partition_key(partitions, "2025-05-13") == {
        "partition_start_date": "2025-05-13",
        "partition_end_date": "2025-05-14",
    }
    window = dg.TimeWindow(
        datetime(2025, 5, 1, tzinfo=SHANGHAI), datetime(2025, 6, 1, tzinfo=SHANGHAI)
    )
    # the window reaches dbt in its environment (read while executing, never while
    # parsing: dbt's partial parsing survives a new day), the run's own vars as vars
    assert dbt_build_env(window=window, full_refresh=False) == {
        "REDCAT_PARTITION_START_DATE": "2025-05-01",
        "REDCAT_PARTITION_END_DATE": "2025-06-01",
        # recorded by dbt in its artefacts' metadata
        "DBT_ENV_CUSTOM_ENV_REDCAT_PARTITION_START_DATE": "2025-05-01",
        "DBT_ENV_CUSTOM_ENV_REDCAT_PARTITION_END_DATE": "2025-06-01",
    }
    no_window = {"REDCAT_PARTITION_START_DATE": "", "REDCAT_PARTITION_END_DATE": ""}
    assert dbt_build_env(window=None, full_refresh=False) == no_window
    assert dbt_build_env(window=window, full_refresh=True) == no_window
    # unit tests check logic on fixed inputs, not the data: the test command runs them
    unit_tests = ["--exclude", "resource_type:unit_test"]
    assert dbt_build_args(full_refresh=False) == ["build", *unit_tests]
    assert dbt_build_args(full_refresh=True) == ["build", "--full-refresh", *unit_tests]
    assert dbt_build_args(full_refresh=False, dbt_vars={"x": 1}) == [
        "build",
        *unit_tests,
        "--vars",
        '{"x": 1}',
    ]
    assert dbt_build_args(full_refresh=True, dbt_vars={"x": 1}) == [
        "build",
        "--full-refresh",
        *unit_tests,
        "--vars",
        '{"x": 1}',
    ]


def test_schedules_build_the_previous_local_day_and_a_weekly_full_rebuild() -> None:
    defs = build_definitions()
    daily = defs.resolve_schedule_def("warehouse_daily_schedule")
    assert (daily.cron_schedule, daily.execution_timezone) == ("0 2 * * *", "Asia/Shanghai")
    tick = datetime(2025, 5, 14, 2, 0, tzinfo=SHANGHAI)
    with dg.build_schedule_context(
        scheduled_execution_time=tick, repository_def=defs.get_repository_def()
    ) as context:
        requests = list(daily.evaluate_tick(context).run_requests or [])
    assert [r.partition_key for r in requests] == ["2025-05-13"]
    assert daily.job_name == "warehouse_daily"

    weekly = defs.resolve_schedule_def("warehouse_weekly_full_rebuild")
    assert (weekly.cron_schedule, weekly.execution_timezone) == ("0 3 * * 0", "Asia/Shanghai")
    sunday = datetime(2025, 5, 18, 3, 0, tzinfo=SHANGHAI)
    with dg.build_schedule_context(
        scheduled_execution_time=sunday, repository_def=defs.get_repository_def()
    ) as context:
        request = weekly.evaluate_tick(context).run_requests[0]
    assert request.partition_key == "2025-05-17"
    full = defs.resolve_job_def("warehouse_full_rebuild")
    assert full.tags[FULL_REFRESH_TAG] == "true"
    assert RAW_DATA_KEY not in full.asset_layer.executable_asset_keys
    # every job ends with the publication for BI; only the main job loads raw data
    for name in ("warehouse_daily", "warehouse_full_rebuild", "redcat_run"):
        assert PUBLICATION_KEY in defs.resolve_job_def(name).asset_layer.executable_asset_keys
    main = defs.resolve_job_def("redcat_run")
    assert RAW_DATA_KEY in main.asset_layer.executable_asset_keys
    assert main.tags[FULL_REFRESH_TAG] == "true"

    # a day past the last partition is skipped, not run
    late = datetime(2025, 7, 2, 2, 0, tzinfo=SHANGHAI)
    with dg.build_schedule_context(
        scheduled_execution_time=late, repository_def=defs.get_repository_def()
    ) as context:
        skipped = daily.evaluate_tick(context)
    assert list(skipped.run_requests or []) == []
    assert skipped.skip_message == (
        "no partition 2025-07-01: the partitions end at 2025-06-30 "
        "(dbt var partitions_last_day; null for a live feed)"
    )


# -- materialisation ---------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, dbt_target: Path) -> Iterator[dict[str, Any]]:
    """The whole graph materialised once for PARTITION, raw = the committed sample."""
    if contract_missing():
        pytest.skip(contract_missing() or "")
    workdir = tmp_path_factory.mktemp("built")
    with pytest.MonkeyPatch.context() as mp, dg.instance_for_test() as instance:
        db_path = use_env(mp, workdir, dbt_target)
        defs = build_definitions({"contract": contract_resource(workdir)})
        result = execute(defs, instance)
        yield {
            "defs": defs,
            "instance": instance,
            "result": result,
            "db_path": db_path,
            "workdir": workdir,
            "dbt_target": dbt_target,
        }


@pytest.mark.slow
@requires_contract
def test_whole_graph_materialises_the_marts(built: dict[str, Any]) -> None:
    result: dg.ExecuteInProcessResult = built["result"]
    assert result.success
    mats = materialized(result)

    assert mats[RAW_DATA_KEY].metadata["source"].value == "sample"
    marts = models_in("marts")
    assert marts
    counts = table_counts(built["db_path"], "marts")
    for name, node in marts.items():
        key = model_key(node)
        assert key in mats, name
        assert counts[name] > 0, name
        assert mats[key].metadata["dagster/row_count"].value == counts[name], name
        assert mats[key].partition == (PARTITION if name in EVENT_DRIVEN_MODELS else None)

    # every dbt invocation got the partition window, in its environment rather than as
    # vars (which would cost a cold parse each day): dbt's own record of it
    run_results = sorted(built["dbt_target"].glob(f"dbt_*-{result.run_id[:7]}-*/run_results.json"))
    assert [p.parent.name.split("-")[0] for p in run_results] == ["dbt_marts", "dbt_warehouse"]
    for path in run_results:
        artefact = json.loads(path.read_text(encoding="utf-8"))
        assert artefact["args"]["vars"] == {}, path
        assert artefact["metadata"]["env"] == {
            f"REDCAT_{name.upper()}": day for name, day in PARTITION_VARS.items()
        }, path

    # the contract ran once and reported every expectation on one of the join models
    from redcat.contract_checks import run_contract

    evaluations = contract_evaluations(result)
    assert set(evaluations) == set(CONTRACT_JOIN_MODELS)
    assert all(e.passed for e in evaluations.values())
    report = run_contract(built["db_path"], build_data_docs=False, gx_root=built["workdir"] / "gx")
    assert report.success
    # the partition run's contract read the relations partitioned by day from its first
    # rebuilt day on (PARTITION minus the 7-day lookback)
    assert {e.metadata["rows_from"].value for e in evaluations.values()} == {
        "2025-05-06 on, in the relations partitioned by day"
    }
    evaluated = sum(e.metadata["evaluated_expectations"].value for e in evaluations.values())
    assert evaluated == len(report.results)
    docs = Path(evaluations["int_shop_links_resolved"].metadata["data_docs"].value)
    assert docs.is_file() and built["workdir"] in docs.parents


@pytest.mark.slow
@requires_contract
def test_same_partition_twice_leaves_no_duplicates(
    built: dict[str, Any], monkeypatch: pytest.MonkeyPatch, dbt_target: Path
) -> None:
    assert built["result"].success
    db_path = use_env(monkeypatch, built["workdir"], dbt_target)
    nodes = manifest_nodes()
    tables = [
        (n["schema"], n["name"])
        for n in nodes.values()
        if n["resource_type"] == "model"
        and n["name"] in EVENT_DRIVEN_MODELS
        and n["config"]["materialized"] != "view"
    ]
    assert tables

    def snapshot() -> dict[tuple[str, str], tuple[int, int]]:
        with duckdb.connect(str(db_path), read_only=True) as con:
            return {
                (s, n): con.execute(
                    f'select (select count(*) from {s}."{n}"), '
                    f'(select count(*) from (select distinct * from {s}."{n}"))'
                ).fetchone()
                for s, n in tables
            }

    first = snapshot()
    published_before = read_publication_record(db_path)
    assert published_before is not None  # the first run published
    again = execute(built["defs"], built["instance"], job_name="warehouse_daily")
    assert again.success
    second = snapshot()

    # the scheduled job publishes too: every mart, as built; the daily marts by the
    # days that changed (none: the same partition again)
    assert PUBLICATION_KEY in materialized(again)
    assert materialized(again)[PUBLICATION_KEY].metadata["days_rewritten"].value == {
        "fct_attributed_orders": 0,
        "fct_conversions": 0,
        "fct_note_daily": 0,
    }
    assert read_publication_record(db_path) is not None
    assert marts_in(db_path.parent / "published" / "redcat_marts.duckdb") == marts_in(db_path)

    assert second == first
    for relation, (rows, distinct_rows) in second.items():
        assert rows == distinct_rows, f"{relation}: {rows - distinct_rows} duplicated rows"
    fct_note_daily = model_key(nodes["model.redcat.fct_note_daily"])
    records = built["instance"].fetch_materializations(fct_note_daily, limit=10).records
    assert [r.partition_key for r in records] == [PARTITION, PARTITION]


def marts_in(database: Path) -> dict[str, Checksum]:
    """Row count and an order-free hash of every row, per table of schema marts."""
    return schema_checksums(database, "marts")


def fault_raw_dir(out: Path) -> tuple[Path, dict[str, str]]:
    """The committed sample as a raw directory, plus one tri-party account that links
    a shop already linked to brand A to brand B as well (contract: one brand per
    shop per day; one validity period per brand at a time).
    """
    for table in RAW_TABLES:
        target = out / table.source / f"{table.name}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "seeds" / table.source / f"{table.relation}.csv", target)
    accounts_file = out / "shared" / "tri_party_accounts.csv"
    with accounts_file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    open_links = [r for r in rows if r["tb_shop_id"] and not r["valid_to"]]
    shop_owner, other_brand = (
        open_links[0],
        next(
            r
            for r in open_links
            if r["xhs_brand_account_id"] != open_links[0]["xhs_brand_account_id"]
        ),
    )
    last_day = max(
        date.fromisoformat(d) for r in rows for d in (r["valid_from"], r["valid_to"]) if d
    )
    fault = {
        "tri_account_id": "tp_contract_fault",
        "brand_name": other_brand["brand_name"],
        "xhs_brand_account_id": other_brand["xhs_brand_account_id"],
        "tb_shop_id": shop_owner["tb_shop_id"],
        "jd_vender_id": "",
        "valid_from": (last_day + timedelta(days=1)).isoformat(),
        "valid_to": "",
    }
    with accounts_file.open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=list(rows[0])).writerow(fault)
    return out, fault


@pytest.mark.slow
@requires_contract
def test_contract_failure_blocks_the_marts(
    tmp_path: Path, dbt_target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = use_env(monkeypatch, tmp_path, dbt_target)
    raw_dir, fault = fault_raw_dir(tmp_path / "raw")
    defs = build_definitions({"contract": contract_resource(tmp_path)})
    with dg.instance_for_test() as instance:
        result = execute(
            defs,
            instance,
            run_config={
                "ops": {"raw_data": {"config": {"source": "load", "raw_dir": str(raw_dir)}}}
            },
        )
    assert not result.success
    mats = materialized(result)
    assert mats[RAW_DATA_KEY].metadata["source"].value == "load"

    evaluations = contract_evaluations(result)
    shop_links = evaluations.pop("int_shop_links_resolved")
    assert shop_links.passed is False
    assert shop_links.severity == dg.AssetCheckSeverity.ERROR
    assert all(e.passed for e in evaluations.values()), [e.asset_key for e in evaluations.values()]
    failures = {f["expectation"]: f for f in shop_links.metadata["sample"].value}
    assert set(failures) == {
        "shop_linked_to_one_brand_per_day",
        "brand_validity_periods_do_not_overlap",
    }
    by_shop = failures["shop_linked_to_one_brand_per_day"]
    assert by_shop["relation"] == "intermediate.int_shop_links_resolved"
    assert by_shop["unexpected_count"] == 2
    assert {row["shop_id"] for row in by_shop["sample"]} == {fault["tb_shop_id"]}
    by_brand = failures["brand_validity_periods_do_not_overlap"]
    assert by_brand["relation"] == "staging.stg_shared__tri_party_accounts"
    assert by_brand["unexpected_count"] == 2
    assert shop_links.metadata["unexpected_count"].value == 4
    assert shop_links.metadata["failed_expectations"].value == 2
    assert "shop_linked_to_one_brand_per_day" in shop_links.metadata["expectations"].value

    # blocking stops what comes after, not the checked model itself
    join_keys = {model_key(models_in("intermediate")[m]) for m in CONTRACT_JOIN_MODELS}
    assert join_keys <= set(mats)
    mart_keys = {model_key(n) for n in models_in("marts").values()}
    assert not mart_keys & set(mats)
    assert "dbt_marts" not in step_starts(result)
    assert table_counts(db_path, "marts") == {}
    assert PUBLICATION_KEY not in mats
    assert not (db_path.parent / "published").exists()


@pytest.mark.slow
@requires_contract
def test_a_scheduled_run_that_fails_the_contract_keeps_the_publication(
    built: dict[str, Any], tmp_path: Path, dbt_target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daily job over a warehouse whose newly loaded raw data breaks the contract:
    no mart is rebuilt and BI keeps the last publication, byte for byte."""
    assert built["result"].success
    shutil.copy(built["db_path"], tmp_path / "warehouse.duckdb")
    shutil.copytree(built["db_path"].parent / "published", tmp_path / "published")
    db_path = use_env(monkeypatch, tmp_path, dbt_target)
    published = tmp_path / "published" / "redcat_marts.duckdb"
    before = (published.read_bytes(), read_publication_record(db_path), marts_in(db_path))
    raw_dir, _fault = fault_raw_dir(tmp_path / "raw")
    from redcat.pipeline import RawRequest, prepare_raw

    prepare_raw(RawRequest(source="load", raw_dir=raw_dir), db_path, ROOT)
    defs = build_definitions({"contract": contract_resource(tmp_path)})
    with dg.instance_for_test() as instance:
        result = execute(defs, instance, job_name="warehouse_daily")

    assert not result.success
    assert contract_evaluations(result)["int_shop_links_resolved"].passed is False
    assert "dbt_marts" not in step_starts(result)
    assert PUBLICATION_KEY not in materialized(result)
    assert (published.read_bytes(), read_publication_record(db_path), marts_in(db_path)) == before
