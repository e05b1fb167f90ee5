"""Orders, visits and searches on tb and jd: pricing and status rules shared by
seeded and background rows, the background streams (shoppers who did not come
from a note), and xhs's own closed-loop shop."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from redcat.generate import names, rand
from redcat.generate.story import (
    CLOSED_LOOP_SHARE,
    DAY_MS,
    END_MS,
    FESTIVAL_DISCOUNT_FEN,
    FESTIVAL_DISCOUNT_STEP_FEN,
    FESTIVALS,
    FIRST_DAY,
    HOUR_MS,
    MATCHED_BUYER_SHARE_OF_BACKGROUND,
    MINUTE_MS,
    N_DAYS,
    PRESALE_SHARE,
    START_MS,
    UTC_OFFSET_SHARE,
    day_index,
    day_of,
    local_ms,
)
from redcat.generate.world import N_INDUSTRIES, World

Columns = dict[str, np.ndarray]

# contract.TB_ORDER_STATUSES order: paid, shipped, completed, refunded, cancelled
PAID, SHIPPED, COMPLETED, REFUNDED, CANCELLED = range(5)
# contract.TB_CHANNELS order
CH_XHS_AD_LINK, CH_SEARCH, CH_HOME_FEED, CH_LIVE, CH_OTHER = range(5)

_QUANTITY_PROBS = (0.72, 0.18, 0.06, 0.025, 0.015)
_HOUR_PROFILE = np.array(
    [3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 7, 6, 6, 6, 7, 8, 9, 11, 12, 10, 6], dtype=np.float64
)
_HOUR_CUM = np.cumsum(_HOUR_PROFILE)


def daily_weights() -> np.ndarray:
    """Relative shopping volume per local day: growth, weekends, festivals and
    the Spring Festival lull."""
    d = np.arange(N_DAYS)
    weight = 1.0 + 0.25 * d / 365.0
    weekday = (np.arange(N_DAYS) + FIRST_DAY.weekday()) % 7
    weight *= np.where(weekday >= 5, 1.1, 1.0)
    for f in FESTIVALS:
        first, last = int(day_of(np.array([f.presale_open_ms]))[0]), day_index(f.final_day)
        weight[first : last + 1] *= 1.5
        weight[last - 2 : last + 1] *= 1.7
        weight[last] *= 1.6
    weight[day_index(date(2024, 12, 10)) : day_index(date(2024, 12, 12)) + 1] *= 1.5
    for a, b in ((date(2024, 2, 8), date(2024, 2, 17)), (date(2025, 1, 26), date(2025, 2, 4))):
        weight[day_index(a) : day_index(b) + 1] *= 0.6
    return weight


def times_on_days(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """UTC ms at a time of day drawn from the shopping-hour profile."""
    hour = rand.weighted_draw(rng, _HOUR_CUM, len(days))
    ms: np.ndarray = (
        START_MS + days * DAY_MS + hour * HOUR_MS + rand.uniform_int(rng, 0, HOUR_MS, len(days))
    )
    return ms


def price_lines(rng: np.random.Generator, unit_fen: np.ndarray, ms: np.ndarray) -> Columns:
    """Quantity, gross, official discount, amount paid and the pre-sale flag."""
    n = len(ms)
    quantity = (rand.categorical(rng, _QUANTITY_PROBS, n) + 1).astype(np.int64)
    gross = unit_fen * quantity
    in_festival = np.zeros(n, dtype=bool)
    presale_open = np.zeros(n, dtype=bool)
    for f in FESTIVALS:
        in_festival |= (ms >= f.presale_open_ms) & (ms < f.end_ms)
        presale_open |= (ms >= f.presale_open_ms) & (ms < local_ms(f.final_day))
    festival_discount = (gross // FESTIVAL_DISCOUNT_STEP_FEN) * FESTIVAL_DISCOUNT_FEN
    coupon = np.minimum(gross // 5, np.array([300, 500, 1000, 2000])[rng.integers(0, 4, n)])
    coupon = np.where(rng.random(n) < 0.08, coupon, 0)
    discount = np.where(in_festival, festival_discount, coupon)
    presale = presale_open & (rng.random(n) < PRESALE_SHARE)
    return {
        "quantity": quantity,
        "discount": discount,
        "pay": gross - discount,
        "presale": presale,
        "in_festival": in_festival,
    }


def statuses(
    rng: np.random.Generator, ms: np.ndarray, presale: np.ndarray, in_festival: np.ndarray
) -> np.ndarray:
    """Order status as of the end of the period: recent orders are still paid or
    shipped, older ones completed; some are refunded or cancelled."""
    n = len(ms)
    age = END_MS - ms
    status = np.where(
        age < DAY_MS,
        PAID,
        np.where(age < 4 * DAY_MS, np.where(rng.random(n) < 0.6, SHIPPED, PAID), COMPLETED),
    )
    r = rng.random(n)
    cancel = np.where(presale, 0.06, 0.03)
    refund = np.where(in_festival, 0.09, 0.06)
    status = np.where(r < cancel + refund, REFUNDED, status)
    status = np.where(r < cancel, CANCELLED, status)
    return status.astype(np.int64)


def tb_order_lines(
    rng: np.random.Generator, w: World, buyer: np.ndarray, item: np.ndarray, ms: np.ndarray
) -> Columns:
    lines = price_lines(rng, w.spu_price_fen[w.tb_item_spu[item]], ms)
    return {
        "buyer": buyer,
        "shop": w.tb_item_shop[item],
        "item": item,
        "quantity": lines["quantity"],
        "pay": lines["pay"],
        "discount": lines["discount"],
        "presale": lines["presale"],
        "status": statuses(rng, ms, lines["presale"], lines["in_festival"]),
        "ms": ms,
    }


def jd_order_lines(
    rng: np.random.Generator,
    w: World,
    buyer: np.ndarray,
    sku: np.ndarray,
    ms: np.ndarray,
    source_note: np.ndarray,
) -> Columns:
    spu = w.jd_sku_spu[sku]
    lines = price_lines(rng, w.spu_price_fen[spu], ms)
    brand = w.spu_brand[spu]
    return {
        "buyer": buyer,
        "shop": w.brand_jd_shop[brand],
        "sku": sku,
        "spu": spu,
        "amount_fen": lines["pay"],
        "ms": ms,
        "status": statuses(rng, ms, lines["presale"], lines["in_festival"]),
        "source_note": source_note,
    }


def query_text(
    w: World, brand: np.ndarray, industry: np.ndarray, noun: np.ndarray, modifier: np.ndarray
) -> pa.Array:
    """Search text: an optional brand name, an optional product noun and an
    optional modifier (negative codes leave a part out)."""
    brand_part = pa.array(w.brand_name, pa.string()).take(pa.array(np.maximum(brand, 0)))
    brand_part = pc.if_else(pa.array(brand < 0), pa.scalar(None, pa.string()), brand_part)
    flat_nouns = [x for group in names.PRODUCT_NOUNS for x in group]
    offsets = np.cumsum([0] + [len(g) for g in names.PRODUCT_NOUNS])[:-1]
    noun_code = offsets[np.clip(industry, 0, N_INDUSTRIES - 1)] + np.maximum(noun, 0)
    noun_part = pa.array(flat_nouns, pa.string()).take(pa.array(noun_code))
    noun_part = pc.if_else(pa.array(noun < 0), pa.scalar(None, pa.string()), noun_part)
    modifier_part = pa.array(names.QUERY_MODIFIERS, pa.string()).take(
        pa.array(np.maximum(modifier, 0))
    )
    modifier_part = pc.if_else(pa.array(modifier <= 0), pa.scalar(None, pa.string()), modifier_part)
    return pc.binary_join_element_wise(
        brand_part, noun_part, modifier_part, " ", null_handling="skip"
    )


def month_starts() -> list[int]:
    """Day indices where each calendar month of the period starts, plus the end."""
    starts, d = [], FIRST_DAY
    while day_index(d) < N_DAYS:
        starts.append(day_index(d))
        d = (d.replace(day=1) + timedelta(days=32)).replace(day=1)
    return [*starts, N_DAYS]


def background_month(
    w: World, month: int, day_range: tuple[int, int], targets: dict[str, int], weights: np.ndarray
) -> dict[str, Columns]:
    """Background tb orders, visits, searches and jd orders for one month."""
    rng = rand.stream(w.seed, "commerce", month)
    lo, hi = day_range
    share = weights[lo:hi] / weights.sum()
    out: dict[str, Columns] = {}

    def days_for(total: int) -> np.ndarray:
        counts = rng.poisson(total * share)
        return np.repeat(np.arange(lo, hi), counts)

    chunk = rand.BACKGROUND_CHUNK_BASE + month

    # tb orders
    days = days_for(targets["tb_orders"])
    ms = times_on_days(rng, days)
    shop = rand.weighted_draw(rng, w.tb_shop_cum, len(ms))
    item = w.tb_shop_item_start[shop] + np.floor(
        rng.random(len(ms)) * w.tb_shop_item_count[shop]
    ).astype(np.int64)
    buyer = w.tb_buyers.draw_background(rng, len(ms), MATCHED_BUYER_SHARE_OF_BACKGROUND)
    tb = tb_order_lines(rng, w, buyer, item, ms)
    tb["id"] = rand.unique_ids(rand.NS_TB_ORDER, chunk, len(ms), w.seed)
    tb["utc"] = rng.random(len(ms)) < UTC_OFFSET_SHARE
    out["tb_orders"] = tb

    # tb visits
    days = days_for(targets["tb_visits"])
    ms = times_on_days(rng, days)
    n = len(ms)
    out["tb_visits"] = {
        "id": rand.unique_ids(rand.NS_VISIT, chunk, n, w.seed),
        "shop": rand.weighted_draw(rng, w.tb_shop_cum, n),
        "buyer": w.tb_buyers.draw_background(rng, n, MATCHED_BUYER_SHARE_OF_BACKGROUND),
        "ms": ms,
        "channel": 1 + rand.categorical(rng, (0.35, 0.35, 0.15, 0.15), n),
        "ref_note": np.full(n, -1, dtype=np.int64),
        "utc": rng.random(n) < UTC_OFFSET_SHARE,
    }

    # tb searches: generic product searches, some naming a brand
    days = days_for(targets["tb_searches"])
    ms = times_on_days(rng, days)
    n = len(ms)
    names_brand = rng.random(n) < 0.25
    brand = np.where(names_brand, rand.weighted_draw(rng, np.cumsum(w.brand_weight), n), -1)
    industry = np.where(
        names_brand, w.brand_industry[np.maximum(brand, 0)], rng.integers(0, N_INDUSTRIES, n)
    )
    noun_counts = np.array([len(g) for g in names.PRODUCT_NOUNS])
    noun = np.floor(rng.random(n) * noun_counts[industry]).astype(np.int64)
    noun = np.where(names_brand & (rng.random(n) < 0.4), -1, noun)
    out["tb_searches"] = {
        "id": rand.unique_ids(rand.NS_SEARCH, chunk, n, w.seed),
        "buyer": w.tb_buyers.draw_background(rng, n, MATCHED_BUYER_SHARE_OF_BACKGROUND),
        "ms": ms,
        "brand": brand,
        "industry": industry,
        "noun": noun,
        "modifier": rng.integers(0, len(names.QUERY_MODIFIERS), n),
        "utc": rng.random(n) < UTC_OFFSET_SHARE,
    }

    # jd orders
    days = days_for(targets["jd_orders"])
    ms = times_on_days(rng, days)
    n = len(ms)
    if len(w.jd_shop_brand) == 0:
        ms, n = ms[:0], 0
    shop = rand.weighted_draw(rng, w.jd_shop_cum, n) if n else np.zeros(0, dtype=np.int64)
    sku = w.jd_shop_sku_start[shop] + np.floor(rng.random(n) * w.jd_shop_sku_count[shop]).astype(
        np.int64
    )
    buyer = w.jd_buyers.draw_background(rng, n, MATCHED_BUYER_SHARE_OF_BACKGROUND)
    jd = jd_order_lines(rng, w, buyer, sku, ms, np.full(n, -1, dtype=np.int64))
    jd["id"] = rand.unique_ids(rand.NS_JD_ORDER, chunk, n, w.seed)
    out["jd_orders"] = jd
    return out


def shop_orders(w: World, candidates: Columns, seeded_gmv_by_day: np.ndarray) -> Columns:
    """Orders in xhs's own shop, sized so that its GMV is CLOSED_LOOP_SHARE of
    (its GMV + GMV of seeded tb/jd orders), and spread over time like that GMV.

    Most come from readers of notes with an `xhs_shop` link (seller = the
    note's author); the rest have no note (seller = an account that sells in
    the shop)."""
    rng = rand.stream(w.seed, "shop_orders")
    target_cents = CLOSED_LOOP_SHARE / (1 - CLOSED_LOOP_SHARE) * seeded_gmv_by_day.sum()
    mean_cents = 15_000.0
    n = max(1, round(target_cents / mean_cents))
    n_note = round(0.8 * n) if len(candidates["user"]) else 0
    n_free = n - n_note

    # note orders: candidates weighted so their days follow the seeded GMV
    cand_day = np.clip(day_of(candidates["ms"]), 0, N_DAYS - 1)
    per_day = np.bincount(cand_day, minlength=N_DAYS).astype(np.float64)
    cand_weight = seeded_gmv_by_day[cand_day] / np.maximum(per_day[cand_day], 1) + 1e-9
    pick = (
        rand.weighted_draw(rng, np.cumsum(cand_weight), n_note) if n_note else np.zeros(0, np.int64)
    )
    note = candidates["note"][pick]
    user = candidates["user"][pick]
    ms = candidates["ms"][pick] + rand.uniform_int(rng, MINUTE_MS, 3 * HOUR_MS, n_note)
    seller = w.note_author[note]

    sellers = np.unique(w.note_author[w.note_link == 2])
    if len(sellers) == 0:
        sellers = np.flatnonzero(w.account_type == 2)
    if len(sellers) == 0:
        sellers = np.arange(w.n_brands)
    free_day = rand.weighted_draw(rng, np.cumsum(seeded_gmv_by_day + 1e-9), n_free)
    free_ms = times_on_days(rng, free_day)
    free_user = w.users.everyone.draw(rng, n_free)
    free_seller = sellers[rng.integers(0, len(sellers), n_free)]

    ms = np.minimum(np.concatenate([ms, free_ms]), END_MS - MINUTE_MS)
    gmv = rng.lognormal(np.log(mean_cents) - 0.18, 0.6, n)
    gmv = np.maximum(100, np.round(gmv * target_cents / gmv.sum())).astype(np.int64)
    order = np.argsort(ms, kind="stable")
    return {
        "id": rand.unique_ids(rand.NS_SHOP_ORDER, 0, n, w.seed),
        "user": np.concatenate([user, free_user])[order],
        "seller": np.concatenate([seller, free_seller])[order],
        "note": np.concatenate([note, np.full(n_free, -1, dtype=np.int64)])[order],
        "gmv_cents": gmv[order],
        "ms": ms[order],
    }
