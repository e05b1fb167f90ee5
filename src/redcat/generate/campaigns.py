"""Daily ad spend on ad notes: ordinary boosts, and joint campaigns co-funded
with the e-commerce platforms.

Joint campaigns grow: the number of brands with joint spend on a day follows
a schedule (JOINT_BRAND_SHARE of the brands in 2024H1, a ramp over 2024H2,
the 2025H1 share after), rounded so the half-year averages hold exactly.
A brand can run a joint campaign on a day when its tri-party account is in
force and it has an ad note published by then; within an ISO week the same
brands tend to stay in (one campaign per brand and week).
"""

from __future__ import annotations

import numpy as np

from redcat.generate import rand
from redcat.generate.commerce import month_starts
from redcat.generate.story import (
    FIRST_DAY,
    HALF_OF_DAY,
    JOINT_BRAND_SHARE,
    N_DAYS,
    day_of,
)
from redcat.generate.world import World

Columns = dict[str, np.ndarray]

BOOST_HEAT, BOOST_FEED, BOOST_SEARCH = 0, 1, 2  # contract.BOOST_TYPES order


def joint_schedule(n_brands: int) -> np.ndarray:
    """Number of brands with joint spend on each day."""
    share = np.where(HALF_OF_DAY == 0, JOINT_BRAND_SHARE[0], JOINT_BRAND_SHARE[1])
    h2 = np.flatnonzero(HALF_OF_DAY == 1)
    share[h2] = np.linspace(JOINT_BRAND_SHARE[0], JOINT_BRAND_SHARE[1], len(h2) + 2)[1:-1]
    counts = np.zeros(N_DAYS, dtype=np.int64)
    for h in range(3):
        days = np.flatnonzero(h == HALF_OF_DAY)
        cum = np.round(np.cumsum(share[days] * n_brands))
        counts[days] = np.diff(np.concatenate([[0], cum])).astype(np.int64)
    return counts


def ad_spend(w: World) -> Columns:
    rng = rand.stream(w.seed, "campaigns")
    nb = w.n_brands
    ads = np.flatnonzero(w.note_is_ad)
    ad_brand = w.note_brand[ads]
    ad_day = np.clip(day_of(w.note_published_ms[ads]), 0, N_DAYS - 1)
    size = w.brand_weight[ad_brand]

    # ordinary boosts: each ad note is boosted for a few days from publication;
    # a campaign is (brand, month, boost type)
    length = 1 + rng.geometric(0.15, len(ads))
    boost = rand.categorical(rng, (0.4, 0.4, 0.2), len(ads))
    rows = np.repeat(np.arange(len(ads)), length)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(length) - length, length)
    day = ad_day[rows] + offset
    live = day < N_DAYS
    rows, day = rows[live], day[live]
    month = _month_of_day(ad_day[rows]).astype(np.uint64)
    campaign = rand.mix64(
        (np.uint64(rand.NS_CAMPAIGN) << np.uint64(56))
        | (ad_brand[rows].astype(np.uint64) << np.uint64(16))
        | (month << np.uint64(2))
        | boost[rows].astype(np.uint64)
    )
    spend = np.round(rng.lognormal(np.log(300.0), 0.8, len(rows)) * size[rows] * 100)
    ordinary = {
        "day": day,
        "campaign": campaign,
        "note": ads[rows],
        "brand": ad_brand[rows],
        "boost": boost[rows],
        "joint": np.zeros(len(rows), dtype=bool),
        "cents": np.maximum(100, spend).astype(np.int64),
    }

    # joint campaigns
    first_ad = np.full(nb, N_DAYS, dtype=np.int64)
    np.minimum.at(first_ad, ad_brand, ad_day)
    in_force = w.tb_in_force | w.jd_in_force
    eligible = in_force & (np.arange(N_DAYS)[:, None] >= first_ad[None, :])
    counts = joint_schedule(nb)
    week = (np.arange(N_DAYS) + FIRST_DAY.weekday()) // 7
    priority = rng.random((week.max() + 1, nb))[week]
    key = np.where(eligible, priority, 2.0)
    rank = np.argsort(np.argsort(key, axis=1, kind="stable"), axis=1, kind="stable")
    chosen = (rank < counts[:, None]) & eligible
    if (chosen.sum(axis=1) < counts).any():
        raise RuntimeError("not enough eligible brands for the joint-campaign schedule")
    j_day, j_brand = np.nonzero(chosen)
    # the boosted note: one of the brand's ad notes published by that day
    by_brand = np.lexsort((ad_day, ad_brand))
    sorted_brand, sorted_day = ad_brand[by_brand], ad_day[by_brand]
    start = np.searchsorted(sorted_brand, j_brand, side="left")
    stop = np.searchsorted(
        sorted_brand * (N_DAYS + 1) + sorted_day, j_brand * (N_DAYS + 1) + j_day, side="right"
    )
    pick = start + np.floor(rng.random(len(j_day)) * (stop - start)).astype(np.int64)
    j_note = ads[by_brand[pick]]
    j_campaign = rand.mix64(
        (np.uint64(rand.NS_CAMPAIGN) << np.uint64(56))
        | (np.uint64(1) << np.uint64(55))
        | (j_brand.astype(np.uint64) << np.uint64(16))
        | week[j_day].astype(np.uint64)
    )
    j_spend = np.round(
        rng.lognormal(np.log(800.0), 0.6, len(j_day)) * w.brand_weight[j_brand] * 100
    )
    joint = {
        "day": j_day,
        "campaign": j_campaign,
        "note": j_note,
        "brand": j_brand,
        "boost": 1 + rng.integers(0, 2, len(j_day)),
        "joint": np.ones(len(j_day), dtype=bool),
        "cents": np.maximum(100, j_spend).astype(np.int64),
    }
    allrows = {k: np.concatenate([ordinary[k], joint[k]]) for k in ordinary}
    order = np.lexsort((allrows["note"], allrows["campaign"], allrows["day"]))
    return {k: v[order] for k, v in allrows.items()}


def _month_of_day(day: np.ndarray) -> np.ndarray:
    """Months since the first month of the period."""
    return np.searchsorted(np.array(month_starts()[:-1]), day, side="right") - 1
