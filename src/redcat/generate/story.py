"""The story the synthetic data tells (docs: DESIGN.md), as constants.

Everything the generator plants lives here: the calendar (period, launch of
the ad-note link, sales festivals), the behaviour rates per half-year (so the
year-on-year effects of DESIGN.md can be recovered from the raw files) and the
volumes for a scale factor.

Times are handled as UTC epoch milliseconds (int64). The business day is the
Asia/Shanghai date; that zone has had no daylight saving time since 1991, so a
local wall time is UTC + 8 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from redcat.contract import INDUSTRIES

SECOND_MS = 1_000
MINUTE_MS = 60 * SECOND_MS
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
LOCAL_OFFSET_MS = 8 * HOUR_MS
LOCAL_OFFSET_TEXT = "+08:00"

FIRST_DAY = date(2024, 1, 1)
LAST_DAY = date(2025, 6, 30)
N_DAYS = (LAST_DAY - FIRST_DAY).days + 1
_EPOCH = date(1970, 1, 1)
FIRST_DAY_NUMBER = (FIRST_DAY - _EPOCH).days


def day_index(d: date) -> int:
    """Index of a local date in the period (0 = 2024-01-01)."""
    return (d - FIRST_DAY).days


def local_ms(d: date, hour: int = 0, minute: int = 0) -> int:
    """UTC epoch milliseconds of an Asia/Shanghai wall-clock time."""
    return (d - _EPOCH).days * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS - LOCAL_OFFSET_MS


def day_of(ms: np.ndarray) -> np.ndarray:
    """Local-day index (int64) of UTC epoch milliseconds."""
    return (ms + LOCAL_OFFSET_MS) // DAY_MS - FIRST_DAY_NUMBER


START_MS = local_ms(FIRST_DAY)
END_MS = local_ms(LAST_DAY + timedelta(days=1))  # exclusive

# Half-years: the year-on-year comparison is 2025H1 against 2024H1.
PERIODS: tuple[str, ...] = ("2024H1", "2024H2", "2025H1")
PERIOD_BOUNDS: tuple[tuple[date, date], ...] = (
    (date(2024, 1, 1), date(2024, 6, 30)),
    (date(2024, 7, 1), date(2024, 12, 31)),
    (date(2025, 1, 1), date(2025, 6, 30)),
)
HALF_OF_DAY: np.ndarray = (
    np.searchsorted(
        np.array([day_index(start) for start, _ in PERIOD_BOUNDS]),
        np.arange(N_DAYS),
        side="right",
    )
    - 1
).astype(np.int8)
BASE_PERIOD, COMPARED_PERIOD = 0, 2

# The ad-note link (a taobao/jd link under ad notes) launches in the pilot
# industries only; before it shoppers took a screenshot and searched on tb.
LAUNCH_DATE = date(2025, 5, 7)
LAUNCH_DAY = day_index(LAUNCH_DATE)
LAUNCH_MS = local_ms(LAUNCH_DATE)
PILOT_INDUSTRIES: tuple[str, ...] = ("beauty", "sports")
PILOT_CODES: tuple[int, ...] = tuple(INDUSTRIES.index(i) for i in PILOT_INDUSTRIES)


@dataclass(frozen=True)
class Festival:
    """A sales festival: pre-sale deposits and the official instant discount run
    from the pre-sale opening to the end of the final day."""

    name: str
    presale_open_ms: int
    final_day: date

    @property
    def end_ms(self) -> int:
        return local_ms(self.final_day + timedelta(days=1))


FESTIVALS: tuple[Festival, ...] = (
    Festival("618-2024", local_ms(date(2024, 5, 20), 20), date(2024, 6, 18)),
    Festival("11.11-2024", local_ms(date(2024, 10, 14), 20), date(2024, 11, 11)),
    Festival("618-2025", local_ms(date(2025, 5, 13), 20), date(2025, 6, 18)),
)
PRESALE_618_2025_MS = FESTIVALS[2].presale_open_ms
# Official instant discount during a festival: 50 yuan off every full 300 yuan.
FESTIVAL_DISCOUNT_STEP_FEN = 30_000
FESTIVAL_DISCOUNT_FEN = 5_000
PRESALE_SHARE = 0.4  # share of festival-window orders paid as pre-sale deposits

# --- engagement on notes (rates per half-year: 2024H1, 2024H2, 2025H1) -------
# Seeding notes are notes with a brand_account_id. CTR = reads / impressions;
# interaction rate = (likes + saves + comments + shares) / impressions.
CTR_SEEDING = (0.100, 0.110, 0.120)  # 2025H1 / 2024H1 = 1.20 -> +20%
INTERACTION_RATE_SEEDING = (0.025, 0.0375, 0.05225)  # 2.09 -> +109%
CTR_LIFESTYLE = (0.080, 0.085, 0.090)
INTERACTION_RATE_LIFESTYLE = (0.020, 0.022, 0.024)
# How one read's interactions split over the interaction types.
INTERACTION_SPLIT: dict[str, float] = {"like": 0.50, "save": 0.25, "comment": 0.10, "share": 0.15}
FOLLOW_PER_READ = 0.01
JD_LINK_CLICK_PER_READ = 0.08  # reads of jd-linked ad notes that click the link

# --- store entries ------------------------------------------------------------
# Per (xhs user, brand, half-year) with an impression of the brand's notes:
# probability that the user enters the brand's tb shop within 7 days.
STORE_ENTRY_RATE: dict[str, tuple[float, float, float]] = {
    "beauty": (0.0600, 0.0720, 0.0849),  # +41.5%
    "sports": (0.0500, 0.0700, 0.0925),  # +85%
    "apparel": (0.0550, 0.0580, 0.0605),  # +10%
    "home": (0.0450, 0.0470, 0.0495),  # +10%
    "digital": (0.0400, 0.0420, 0.0440),  # +10%
    "food": (0.0650, 0.0680, 0.0715),  # +10%
}
# In the pilot industries, entries after the link launch are this many times
# as likely as before it (within 2025H1; the half-year rate above still holds).
LAUNCH_ENTRY_LIFT = 1.6
# Within a stratum, a pair whose anchor is a read of a taobao-linked ad note is
# this many times as likely to enter as another pair (the link is one tap away).
LINKED_READ_ENTRY_WEIGHT = 5.0
# Entry paths: with a clickable taobao link (read of a linked ad note), else.
LINK_PATH_SHARES = {"link": 0.75, "search": 0.15, "direct": 0.10}
NO_LINK_PATH_SHARES = {"search": 0.55, "direct": 0.45}
# Probability that an entry by a matched buyer becomes an order, per path.
ENTRY_CONVERSION = {"link": 0.50, "search": 0.45, "direct": 0.30}
# Per (jd-matched xhs user, brand with a jd shop, half-year) exposure pair.
JD_CONVERSION = (0.040, 0.050, 0.065)
JD_LINK_CONVERSION_LIFT = 3.0  # when the exposure is a read of a jd-linked ad note
JD_LINK_PATH_SHARE = 0.8

# --- joint campaigns ----------------------------------------------------------
# Share of xhs brands with joint spend on a day: 2024H1, ramp over 2024H2, 2025H1.
JOINT_BRAND_SHARE = (0.040, 0.174)  # 0.174 / 0.040 = 4.35 -> +335%

# --- xhs's own shop ---------------------------------------------------------------
CLOSED_LOOP_SHARE = 0.03  # shop GMV / (shop GMV + GMV of seeded tb/jd orders)

# --- identity bridge ---------------------------------------------------------------
MATCH_MIN_CONFIDENCE = 0.8
TB_MATCHED_SHARE = 0.15  # xhs users whose best tb match is >= the floor
TB_WEAK_SHARE = 0.02  # xhs users with only tb candidates below the floor
JD_MATCHED_SHARE = 0.08
JD_WEAK_SHARE = 0.01
MULTI_CANDIDATE_SHARE = 0.15  # matched users with extra, lower candidates
TIE_SHARE = 0.01  # matched users with an equal-confidence, older candidate
MATCHED_BUYER_SHARE_OF_BACKGROUND = 0.08  # background tb/jd orders by matched buyers

RESENT_EVENT_SHARE = 0.01
UTC_OFFSET_SHARE = 0.01  # background tb times written with +00:00 instead of +08:00


@dataclass(frozen=True)
class Volumes:
    """Row volumes for a scale factor. Scale 1 is about 10 M xhs events, 1 M tb
    order lines, 300 k jd order lines, 200 brands and 2 M xhs users; everything
    scales linearly except floors that keep tiny scales complete (at least 24
    brands, i.e. four per industry, and a few notes per brand)."""

    scale: float
    brands: int
    outside_brands: int  # brands with tb/jd shops but no xhs presence
    users: int
    creators: int
    notes: int
    impressions: int
    tb_orders: int
    jd_orders: int
    tb_visits: int  # background visits (store entries from notes come on top)
    tb_searches: int  # background searches
    tb_other_buyers: int  # tb buyers never matched to an xhs user
    jd_other_buyers: int

    @classmethod
    def for_scale(cls, scale: float) -> Volumes:
        if not 0 < scale <= 100:
            raise ValueError(f"scale must be in (0, 100], got {scale}")

        def n(per_unit: float, floor: int = 0) -> int:
            return max(floor, round(per_unit * scale))

        brands = n(200, 24)
        return cls(
            scale=scale,
            brands=brands,
            outside_brands=max(4, round(0.25 * brands)),
            users=n(2_000_000, 1_000),
            creators=n(20_000, 40),
            notes=n(60_000, 12 * brands),
            impressions=n(8_600_000),
            tb_orders=n(1_000_000),
            jd_orders=n(300_000),
            tb_visits=n(1_200_000),
            tb_searches=n(600_000),
            tb_other_buyers=n(900_000, 200),
            jd_other_buyers=n(340_000, 100),
        )


def planted_targets() -> dict[str, object]:
    """The year-on-year effects the data carries (2025H1 against 2024H1)."""

    def change(rates: tuple[float, ...]) -> float:
        return round(rates[COMPARED_PERIOD] / rates[BASE_PERIOD] - 1, 4)

    return {
        "base_period": [str(d) for d in PERIOD_BOUNDS[BASE_PERIOD]],
        "compared_period": [str(d) for d in PERIOD_BOUNDS[COMPARED_PERIOD]],
        "ctr_yoy": change(CTR_SEEDING),
        "interaction_rate_yoy": change(INTERACTION_RATE_SEEDING),
        "joint_merchants_yoy": round(JOINT_BRAND_SHARE[1] / JOINT_BRAND_SHARE[0] - 1, 4),
        "store_entry_rate_yoy": {k: change(v) for k, v in STORE_ENTRY_RATE.items()},
        "closed_loop_share": CLOSED_LOOP_SHARE,
        "definitions": {
            "seeding_note": "xhs note with a brand_account_id",
            "ctr": "distinct read events / distinct impression events on seeding notes, "
            "by the event's Asia/Shanghai date",
            "interaction_rate": "distinct like+save+comment+share events / distinct "
            "impression events on seeding notes",
            "joint_merchants": "average over the period's days of the number of distinct "
            "brand_account_id with is_joint spend > 0 that day",
            "store_entry_rate": "pairs (xhs user whose best taobao match has confidence "
            ">= 0.8, brand account whose tri-party account links a tb shop) with an "
            "impression of the brand's notes in the period; entered = a tb visit by the "
            "matched buyer to that shop within 7 days after such an impression",
        },
    }
