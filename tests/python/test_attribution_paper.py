"""Attribution on the hand-made raw directory, checked against answers worked out on paper.

`tests/fixtures/raw_handmade/` is loaded into a temporary warehouse and built
by dbt with the privacy floor lowered to one user (the fixture has a handful).
Every expected row below is derived by hand in the fixture's README
("Attribution worked out on paper"): each order's touches with their hours
before the order, then each model's credit and attributed GMV to the fen.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from redcat.load import load_raw_dir
from redcat.warehouse import connect, project_root, run_dbt

HANDMADE_RAW_DIR = project_root() / "tests" / "fixtures" / "raw_handmade"

# The fixture has a handful of users: publish every row.
BUILD_VARS = "{min_users_per_row: 1}"
# the unit tests do not read the warehouse, and the sample seeds are not read
# once a raw directory is loaded
PAPER_BUILD = (
    "build",
    "--vars",
    BUILD_VARS,
    "--exclude",
    "resource_type:unit_test",
    "resource_type:seed",
)

T, F = True, False


@pytest.fixture(scope="module")
def handmade_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made raw directory, loaded and built (models and dbt data tests)."""
    folder = tmp_path_factory.mktemp("paper")
    db_path = folder / "warehouse.duckdb"
    load_raw_dir(HANDMADE_RAW_DIR, db_path)
    run_dbt(
        list(PAPER_BUILD),
        db_path=db_path,
        extra_env={
            "DBT_TARGET_PATH": str(folder / "target"),
            "DBT_LOG_PATH": str(folder / "logs"),
        },
    )
    return db_path


def query(db_path: Path, sql: str) -> list[tuple]:
    with connect(db_path, read_only=True) as con:
        return con.execute(sql).fetchall()


# (conversion_id, attribution_model, note_id, credit, attributed_gmv_cny,
#  attributed_net_gmv_cny), as text: the exact decimals the mart holds
EXPECTED_CREDITS: list[tuple[str, ...]] = [
    # bo, TrekFit on jd: three clicks on one note
    ("jd|300000001", "first_touch", "xn_trek_run_ad", "1.000000000000", "459.00", "459.00"),
    ("jd|300000001", "last_touch", "xn_trek_run_ad", "1.000000000000", "459.00", "459.00"),
    ("jd|300000001", "linear", "xn_trek_run_ad", "1.000000000000", "459.00", "459.00"),
    ("jd|300000001", "position_based", "xn_trek_run_ad", "1.000000000000", "459.00", "459.00"),
    ("jd|300000001", "time_decay", "xn_trek_run_ad", "1.000000000000", "459.00", "459.00"),
    # chen, Lumi on jd: two clicks on two notes, both impressions outranked
    ("jd|300000002", "first_touch", "xn_lumi_brand_post", "1.000000000000", "129.00", "129.00"),
    ("jd|300000002", "last_touch", "xn_lumi_serum_ad", "1.000000000000", "129.00", "129.00"),
    ("jd|300000002", "linear", "xn_lumi_brand_post", "0.500000000000", "64.50", "64.50"),
    ("jd|300000002", "linear", "xn_lumi_serum_ad", "0.500000000000", "64.50", "64.50"),
    ("jd|300000002", "position_based", "xn_lumi_brand_post", "0.500000000000", "64.50", "64.50"),
    ("jd|300000002", "position_based", "xn_lumi_serum_ad", "0.500000000000", "64.50", "64.50"),
    ("jd|300000002", "time_decay", "xn_lumi_brand_post", "0.445969417789", "57.53", "57.53"),
    ("jd|300000002", "time_decay", "xn_lumi_serum_ad", "0.554030582211", "71.47", "71.47"),
    # bo, Lumi on tb: one view, refunded (net GMV 0)
    ("taobao|to_0003", "first_touch", "xn_lumi_serum_org", "1.000000000000", "178.00", "0.00"),
    ("taobao|to_0003", "last_touch", "xn_lumi_serum_org", "1.000000000000", "178.00", "0.00"),
    ("taobao|to_0003", "linear", "xn_lumi_serum_org", "1.000000000000", "178.00", "0.00"),
    ("taobao|to_0003", "position_based", "xn_lumi_serum_org", "1.000000000000", "178.00", "0.00"),
    ("taobao|to_0003", "time_decay", "xn_lumi_serum_org", "1.000000000000", "178.00", "0.00"),
    # anna, Lumi on tb: five clicks on two notes, the first exactly 7 days before
    ("taobao|to_0004", "first_touch", "xn_lumi_serum_org", "1.000000000000", "119.99", "119.99"),
    ("taobao|to_0004", "last_touch", "xn_lumi_serum_ad", "1.000000000000", "119.99", "119.99"),
    ("taobao|to_0004", "linear", "xn_lumi_serum_ad", "0.800000000000", "96.00", "96.00"),
    ("taobao|to_0004", "linear", "xn_lumi_serum_org", "0.200000000000", "23.99", "23.99"),
    ("taobao|to_0004", "position_based", "xn_lumi_serum_ad", "0.600000000000", "72.00", "72.00"),
    ("taobao|to_0004", "position_based", "xn_lumi_serum_org", "0.400000000000", "47.99", "47.99"),
    ("taobao|to_0004", "time_decay", "xn_lumi_serum_ad", "0.974607044267", "116.95", "116.95"),
    ("taobao|to_0004", "time_decay", "xn_lumi_serum_org", "0.025392955733", "3.04", "3.04"),
]

# (conversion_id, note_id, touches, is_direct_link_path): the same under every model
EXPECTED_NOTES: list[tuple[str, str, int, bool]] = [
    ("jd|300000001", "xn_trek_run_ad", 3, True),  # jd sourceNoteId is the note
    ("jd|300000002", "xn_lumi_brand_post", 1, False),
    ("jd|300000002", "xn_lumi_serum_ad", 1, False),  # no sourceNoteId
    ("taobao|to_0003", "xn_lumi_serum_org", 1, False),
    ("taobao|to_0004", "xn_lumi_serum_ad", 4, True),  # tb visit tv_0004 through the link
    ("taobao|to_0004", "xn_lumi_serum_org", 1, False),
]

# (conversion_id, brand_name, order_date, gmv_cny, net_gmv_cny, is_refunded,
#  is_shop_linked, is_buyer_matched, is_eligible, is_attributed, has_direct_link_path)
EXPECTED_CONVERSIONS: list[tuple] = [
    ("jd|300000001", "TrekFit", "2025-05-12", "459.00", "459.00", F, T, T, T, T, T),
    ("jd|300000002", "Lumi", "2025-05-13", "129.00", "129.00", F, T, T, T, T, F),
    # Mochi's tri-party link expired on 2025-05-10
    ("jd|300000003", "Mochi", "2025-05-12", "39.90", "39.90", F, F, T, F, F, F),
    # fei has no xhs match
    ("taobao|to_0001", "TrekFit", "2025-05-12", "429.00", "429.00", F, T, F, F, F, F),
    # to_0002 (dai) is cancelled: not a conversion
    ("taobao|to_0003", "Lumi", "2025-05-13", "178.00", "0.00", T, T, T, T, T, F),
    ("taobao|to_0004", "Lumi", "2025-05-13", "119.99", "119.99", F, T, T, T, T, T),
    # dai's only match (0.62) is below the 0.8 floor
    ("taobao|to_0005", "Lumi", "2025-05-13", "129.99", "129.99", F, T, F, F, F, F),
]

# (conversion_id, event_id, note_id, touch_kind, touch_rank, touch_count,
#  seconds before the order)
EXPECTED_TOUCHES: list[tuple] = [
    ("jd|300000001", "xe_0002", "xn_trek_run_ad", "click", 1, 3, 20 * 60 + 50),
    ("jd|300000001", "xe_0003", "xn_trek_run_ad", "click", 2, 3, 19 * 60),
    ("jd|300000001", "xe_0004", "xn_trek_run_ad", "click", 3, 3, 18 * 60),
    ("jd|300000002", "xe_0025", "xn_lumi_brand_post", "click", 1, 2, 16 * 3600 + 29 * 60 + 30),
    ("jd|300000002", "xe_0019", "xn_lumi_serum_ad", "click", 2, 2, 88 * 60),
    ("taobao|to_0003", "xe_0014", "xn_lumi_serum_org", "view", 1, 1, 11 * 3600 + 55 * 60),
    ("taobao|to_0004", "xe_0024", "xn_lumi_serum_org", "click", 1, 5, 7 * 24 * 3600),
    ("taobao|to_0004", "xe_0010", "xn_lumi_serum_ad", "click", 2, 5, 24 * 3600 + 44 * 60 + 30),
    ("taobao|to_0004", "xe_0011", "xn_lumi_serum_ad", "click", 3, 5, 24 * 3600 + 43 * 60),
    ("taobao|to_0004", "xe_0020", "xn_lumi_serum_ad", "click", 4, 5, 15 * 60),
    ("taobao|to_0004", "xe_0021", "xn_lumi_serum_ad", "click", 5, 5, 14 * 60),
]

MODELS = ("first_touch", "last_touch", "linear", "position_based", "time_decay")

# The queries that read the answers back (DuckDB and PostgreSQL SQL alike:
# test_server_warehouse runs them on the server warehouse too)
CREDITS_SQL = """
    select
        conversion_id,
        attribution_model,
        note_id,
        cast(credit as varchar),
        cast(attributed_gmv_cny as varchar),
        cast(attributed_net_gmv_cny as varchar)
    from marts.fct_attributed_orders
    order by conversion_id, attribution_model, note_id
    """

NOTES_SQL = """
    select distinct conversion_id, note_id, touches, is_direct_link_path
    from marts.fct_attributed_orders
    order by conversion_id, note_id
    """

TOUCHES_SQL = """
    select
        conversion_id, event_id, note_id, touch_kind, touch_rank, touch_count,
        cast(round(hours_before_order * 3600) as integer) as seconds_before_order
    from intermediate.int_touchpoints_joined_to_orders
    order by conversion_id, touch_rank
    """

CONVERSIONS_SQL = """
    select
        conversion_id,
        brand_name,
        cast(order_date as varchar),
        cast(gmv_cny as varchar),
        cast(net_gmv_cny as varchar),
        is_refunded,
        is_shop_linked,
        is_buyer_matched,
        is_eligible,
        is_attributed,
        has_direct_link_path
    from marts.fct_conversions
    order by conversion_id
    """


@pytest.mark.slow
def test_attribution_credits_equal_the_paper_answer(handmade_warehouse: Path):
    rows = query(handmade_warehouse, CREDITS_SQL)
    assert rows == EXPECTED_CREDITS


@pytest.mark.slow
def test_attributed_notes_carry_their_touches_and_link_path(handmade_warehouse: Path):
    rows = query(handmade_warehouse, NOTES_SQL)
    assert rows == EXPECTED_NOTES


def test_the_paper_answer_adds_up_exactly_per_order_and_model():
    # A check on the expected rows themselves: credits add up to 1 and
    # attributed GMV to the order's GMV, for every order and model.
    gmv = {c[0]: (Decimal(c[3]), Decimal(c[4])) for c in EXPECTED_CONVERSIONS if c[9]}
    for conversion_id, (order_gmv, order_net_gmv) in gmv.items():
        for model in MODELS:
            credits = [r for r in EXPECTED_CREDITS if r[:2] == (conversion_id, model)]
            assert sum(Decimal(r[3]) for r in credits) == 1, (conversion_id, model)
            assert sum(Decimal(r[4]) for r in credits) == order_gmv, (conversion_id, model)
            assert sum(Decimal(r[5]) for r in credits) == order_net_gmv, (conversion_id, model)
    assert {r[0] for r in EXPECTED_CREDITS} == set(gmv)


@pytest.mark.slow
def test_touches_equal_the_paper_answer(handmade_warehouse: Path):
    rows = query(handmade_warehouse, TOUCHES_SQL)
    assert rows == EXPECTED_TOUCHES


@pytest.mark.slow
def test_conversions_equal_the_paper_answer(handmade_warehouse: Path):
    rows = query(handmade_warehouse, CONVERSIONS_SQL)
    assert rows == EXPECTED_CONVERSIONS


# Every query above with the rows it must return, for a warehouse on another engine.
PAPER_ANSWERS: dict[str, tuple[str, list[tuple]]] = {
    "credits": (CREDITS_SQL, EXPECTED_CREDITS),
    "notes": (NOTES_SQL, EXPECTED_NOTES),
    "touches": (TOUCHES_SQL, EXPECTED_TOUCHES),
    "conversions": (CONVERSIONS_SQL, EXPECTED_CONVERSIONS),
}
