"""Behaviour on notes and what it causes on tb and jd, one chunk of notes at a time.

A chunk holds every note of a group of brands (or a group of lifestyle
notes), so everything that depends on one user's exposure to one brand —
store entries, the screenshot-then-search path, the ad-link path and the
orders they lead to — is decided inside the chunk:

1. impressions: users see notes in the days after publication;
2. reads and interactions follow impressions at the half-year's rates
   (systematic sampling, so the planted year-on-year ratios hold exactly);
3. per (user, brand, half-year) exposure pair, a store entry into the brand's
   tb shop within 7 days, at the industry's rate; entries by matched users
   may become orders (the seeded orders, kept as ground truth);
4. per exposure pair of a jd-matched user, sometimes a jd order.

Seeded orders always follow a touch of the same user on the brand's note:
within 7 days of a read (click touch) or 24 hours of an impression (view touch),
on a day when the brand's tri-party account links the shop.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from redcat.contract import EVENT_TYPES, INDUSTRIES
from redcat.generate import rand
from redcat.generate.commerce import (
    CANCELLED,
    CH_HOME_FEED,
    CH_SEARCH,
    CH_XHS_AD_LINK,
    jd_order_lines,
    tb_order_lines,
)
from redcat.generate.story import (
    CTR_LIFESTYLE,
    CTR_SEEDING,
    DAY_MS,
    END_MS,
    ENTRY_CONVERSION,
    FOLLOW_PER_READ,
    HALF_OF_DAY,
    HOUR_MS,
    INTERACTION_RATE_LIFESTYLE,
    INTERACTION_RATE_SEEDING,
    INTERACTION_SPLIT,
    JD_CONVERSION,
    JD_LINK_CLICK_PER_READ,
    JD_LINK_CONVERSION_LIFT,
    JD_LINK_PATH_SHARE,
    LAUNCH_DAY,
    LAUNCH_ENTRY_LIFT,
    LINK_PATH_SHARES,
    LINKED_READ_ENTRY_WEIGHT,
    MINUTE_MS,
    N_DAYS,
    NO_LINK_PATH_SHARES,
    PILOT_CODES,
    RESENT_EVENT_SHARE,
    SECOND_MS,
    STORE_ENTRY_RATE,
    day_of,
)
from redcat.generate.world import (
    DELAY_FAST_MS,
    DELAY_FAST_SHARE,
    DELAY_SLOW_MS,
    LINK_JD,
    LINK_TAOBAO,
    LINK_XHS_SHOP,
    STATUS_MATCHED,
    World,
)

Columns = dict[str, np.ndarray]

EV = {name: code for code, name in enumerate(EVENT_TYPES)}
PATH_LINK, PATH_SEARCH, PATH_DIRECT = 0, 1, 2
PATHS = ("link", "search", "direct")
PLATFORM_CODES = {"taobao": 0, "jd": 1}

_ENTRY_RATE = np.array([STORE_ENTRY_RATE[i] for i in INDUSTRIES])  # [industry, half]
_CTR = np.array([CTR_LIFESTYLE, CTR_SEEDING])  # [is_seeding, half]
_INTERACTIONS_PER_READ = np.array(
    [
        np.array(INTERACTION_RATE_LIFESTYLE) / np.array(CTR_LIFESTYLE),
        np.array(INTERACTION_RATE_SEEDING) / np.array(CTR_SEEDING),
    ]
)
_CONVERSION_BY_PATH = np.array([ENTRY_CONVERSION[p] for p in PATHS])


def _path_codes(rng: np.random.Generator, can_link: np.ndarray) -> np.ndarray:
    n = len(can_link)
    with_link = rand.categorical(rng, tuple(LINK_PATH_SHARES[p] for p in PATHS), n)
    without = 1 + rand.categorical(
        rng, (NO_LINK_PATH_SHARES["search"], NO_LINK_PATH_SHARES["direct"]), n
    )
    return np.where(can_link, with_link, without)


def _delay(rng: np.random.Generator, max_delay: np.ndarray) -> np.ndarray:
    """A delay in [1 min, max_delay], most of the mass early."""
    u = rng.random(len(max_delay))
    return MINUTE_MS + ((max_delay - MINUTE_MS) * u * u).astype(np.int64)


# the columns of each table a chunk writes, and `seeded_gmv_by_day` (one array)
ChunkResult = dict[str, Any]


def simulate_chunk(w: World, notes: np.ndarray, chunk: int) -> ChunkResult:
    rng = rand.stream(w.seed, "engagement", chunk)

    # 1. impressions --------------------------------------------------------------
    counts = rng.poisson(w.note_expected_impressions[notes])
    imp_note = np.repeat(notes, counts)
    n = len(imp_note)
    fast = rng.random(n) < DELAY_FAST_SHARE
    delay = rng.exponential(1.0, n) * np.where(fast, DELAY_FAST_MS, DELAY_SLOW_MS)
    imp_t = w.note_published_ms[imp_note] + SECOND_MS + delay.astype(np.int64)
    keep = imp_t < END_MS - 15 * MINUTE_MS
    imp_note, imp_t = imp_note[keep], imp_t[keep]
    n = len(imp_note)
    user = w.users.draw(rng, w.note_segment[imp_note])
    day = day_of(imp_t)
    half = HALF_OF_DAY[day].astype(np.int64)
    brand = w.note_brand[imp_note]
    seeding = (brand >= 0).astype(np.int64)
    strata = seeding * 3 + half

    # 2. reads and interactions ----------------------------------------------------
    has_read = rand.systematic_sample(rng, _CTR[seeding, half], strata)
    read_t = imp_t + rand.uniform_int(rng, 2 * SECOND_MS, 90 * SECOND_MS, n)
    reads = np.flatnonzero(has_read)
    per_read = _INTERACTIONS_PER_READ[seeding[reads], half[reads]]
    ev_note, ev_user, ev_type, ev_t = [imp_note, imp_note[reads]], [user, user[reads]], [], []
    ev_type += [np.full(n, EV["impression"]), np.full(len(reads), EV["read"])]
    ev_t += [imp_t, read_t[reads]]
    for kind, share in INTERACTION_SPLIT.items():
        chosen = reads[rand.systematic_sample(rng, per_read * share, strata[reads])]
        _append(
            ev_note,
            ev_user,
            ev_type,
            ev_t,
            imp_note[chosen],
            user[chosen],
            EV[kind],
            read_t[chosen] + rand.uniform_int(rng, 5 * SECOND_MS, 10 * MINUTE_MS, len(chosen)),
        )
    follows = reads[rng.random(len(reads)) < FOLLOW_PER_READ]
    _append(
        ev_note,
        ev_user,
        ev_type,
        ev_t,
        imp_note[follows],
        user[follows],
        EV["follow"],
        read_t[follows] + rand.uniform_int(rng, 5 * SECOND_MS, 10 * MINUTE_MS, len(follows)),
    )
    jd_linked = reads[w.note_link[imp_note[reads]] == LINK_JD]
    clicks = jd_linked[rng.random(len(jd_linked)) < JD_LINK_CLICK_PER_READ]
    _append(
        ev_note,
        ev_user,
        ev_type,
        ev_t,
        imp_note[clicks],
        user[clicks],
        EV["link_click"],
        read_t[clicks] + rand.uniform_int(rng, 3 * SECOND_MS, 60 * SECOND_MS, len(clicks)),
    )
    shop_reads = reads[w.note_link[imp_note[reads]] == LINK_XHS_SHOP]
    shop_candidates = {
        "note": imp_note[shop_reads],
        "user": user[shop_reads],
        "ms": read_t[shop_reads],
    }

    # 3. exposure pairs (user, brand, half-year), anchored on one impression,
    #    preferring a read of a linked ad note, then any read
    cand = np.flatnonzero(seeding == 1)
    key = (user[cand] * w.n_brands + brand[cand]) * 3 + half[cand]
    linked_read = has_read[cand] & np.isin(w.note_link[imp_note[cand]], (LINK_TAOBAO, LINK_JD))
    # by key, linked reads first, then reads, then at random
    preference = key * 4 + (~linked_read).astype(np.int64) * 2 + (~has_read[cand])
    order = rand.argsort_random_ties(preference, rng.random(len(cand)))
    sorted_key = key[order]
    first = np.ones(len(cand), dtype=bool)
    first[1:] = sorted_key[1:] != sorted_key[:-1]
    anchor = cand[order[first]]
    pair = {
        "user": user[anchor],
        "brand": brand[anchor],
        "half": half[anchor],
        "note": imp_note[anchor],
        "day": day[anchor],
        "read": has_read[anchor],
        "imp_t": imp_t[anchor],
        "touch_t": np.where(has_read[anchor], read_t[anchor], imp_t[anchor]),
    }
    pair["industry"] = w.brand_industry[pair["brand"]].astype(np.int64)

    out: ChunkResult = {"shop_candidates": shop_candidates}
    entry_links, tb_orders, tb_truth, visits, searches = _tb_entries(rng, w, pair, chunk)
    jd_links, jd_orders, jd_truth = _jd_orders(rng, w, pair, chunk)
    for links in (entry_links, jd_links):
        _append(
            ev_note,
            ev_user,
            ev_type,
            ev_t,
            links["note"],
            links["user"],
            EV["link_click"],
            links["ms"],
        )

    # events: ids, re-sent duplicates (identical rows), time order
    events = {
        "note": np.concatenate(ev_note),
        "user": np.concatenate(ev_user),
        "type": np.concatenate(ev_type).astype(np.int64),
        "ms": np.concatenate(ev_t),
    }
    m = len(events["ms"])
    events["id"] = rand.unique_ids(rand.NS_EVENT, chunk, m, w.seed)
    resent = np.flatnonzero(rng.random(m) < RESENT_EVENT_SHARE)
    rows = np.concatenate([np.arange(m), resent])
    rows = rows[rand.stable_argsort(events["ms"][rows])]
    out["events"] = {k: v[rows] for k, v in events.items()}
    out["tb_orders"] = tb_orders
    out["jd_orders"] = jd_orders
    out["tb_visits"] = visits
    out["tb_searches"] = searches
    out["truth"] = {k: np.concatenate([tb_truth[k], jd_truth[k]]) for k in tb_truth}
    gmv = np.zeros(N_DAYS)
    for orders, amount in ((tb_orders, "pay"), (jd_orders, "amount_fen")):
        live = orders["status"] != CANCELLED
        gmv += np.bincount(
            day_of(orders["ms"][live]), weights=orders[amount][live], minlength=N_DAYS
        )
    out["seeded_gmv_by_day"] = gmv
    return out


def _append(
    notes: list[np.ndarray],
    users: list[np.ndarray],
    types: list[np.ndarray],
    times: list[np.ndarray],
    note: np.ndarray,
    user: np.ndarray,
    kind: int,
    ms: np.ndarray,
) -> None:
    notes.append(note)
    users.append(user)
    types.append(np.full(len(note), kind))
    times.append(ms)


def _tb_entries(
    rng: np.random.Generator, w: World, pair: Columns, chunk: int
) -> tuple[Columns, Columns, Columns, Columns, Columns]:
    """Store entries into the brand's tb shop, their paths, and the orders."""
    idx = np.flatnonzero(w.brand_tb_shop[pair["brand"]] >= 0)
    ind, half, b = pair["industry"][idx], pair["half"][idx], pair["brand"][idx]
    matched = w.users.tb_status[pair["user"][idx]] == STATUS_MATCHED
    stratum = ((ind * 3 + half) * 2 + matched) * 2 + w.tb_linked_ever[b]
    lift = np.where(
        np.isin(ind, PILOT_CODES) & (pair["day"][idx] >= LAUNCH_DAY), LAUNCH_ENTRY_LIFT, 1.0
    )
    linked_read = pair["read"][idx] & (w.note_link[pair["note"][idx]] == LINK_TAOBAO)
    lift *= np.where(linked_read, LINKED_READ_ENTRY_WEIGHT, 1.0)
    size = np.bincount(stratum, minlength=stratum.max(initial=0) + 1)
    lift_sum = np.bincount(stratum, weights=lift, minlength=len(size))
    prob = np.minimum(_ENTRY_RATE[ind, half] * lift * size[stratum] / lift_sum[stratum], 1.0)
    e = idx[rand.systematic_sample(rng, prob, stratum)]

    e_user, e_brand, e_note = pair["user"][e], pair["brand"][e], pair["note"][e]
    e_read, touch = pair["read"][e], pair["touch_t"][e]
    ne = len(e)
    path = _path_codes(rng, e_read & (w.note_link[e_note] == LINK_TAOBAO))
    e_matched = w.users.tb_status[e_user] == STATUS_MATCHED
    convert = e_matched & (rng.random(ne) < _CONVERSION_BY_PATH[path])
    max_delay = np.where(
        convert,
        np.where(e_read, 5 * DAY_MS, 20 * HOUR_MS),
        np.where(e_read, 6 * DAY_MS, 156 * HOUR_MS),
    )
    max_delay = np.minimum(max_delay, END_MS - touch - 10 * MINUTE_MS)
    ok = max_delay > MINUTE_MS
    link_t = touch + rand.uniform_int(rng, 3 * SECOND_MS, 60 * SECOND_MS, ne)
    step_t = touch + _delay(rng, np.maximum(max_delay, MINUTE_MS + 1))  # search, or direct entry
    visit_t = np.where(
        path == PATH_LINK,
        link_t + rand.uniform_int(rng, SECOND_MS, 5 * SECOND_MS, ne),
        np.where(
            path == PATH_SEARCH,
            step_t + rand.uniform_int(rng, 10 * SECOND_MS, 120 * SECOND_MS, ne),
            step_t,
        ),
    )
    # the order: within the touch's window (7 days after a read, 24 h after an
    # impression), on a day the tri-party account links the shop
    window_end = np.minimum(
        touch + np.where(e_read, 7 * DAY_MS, 24 * HOUR_MS) - MINUTE_MS, END_MS - MINUTE_MS
    )
    room = np.minimum(2 * HOUR_MS, window_end - visit_t)
    order_t = visit_t + np.maximum(1, (rng.random(ne) * room).astype(np.int64))
    order_day = np.clip(day_of(order_t), 0, N_DAYS - 1)
    convert &= ok & (room > 0) & w.tb_in_force[order_day, e_brand]

    channel = np.where(
        path == PATH_LINK,
        CH_XHS_AD_LINK,
        np.where(
            path == PATH_SEARCH,
            CH_SEARCH,
            CH_HOME_FEED + rand.categorical(rng, (0.6, 0.25, 0.15), ne),
        ),
    )
    buyer = w.users.tb_buyer[e_user]
    v = np.flatnonzero(ok)
    visits = {
        "id": rand.unique_ids(rand.NS_VISIT, chunk, len(v), w.seed),
        "shop": w.brand_tb_shop[e_brand[v]],
        "buyer": buyer[v],
        "ms": visit_t[v],
        "channel": channel[v],
        "ref_note": np.where(path[v] == PATH_LINK, e_note[v], -1),
        "utc": np.zeros(len(v), dtype=bool),
    }
    s = np.flatnonzero(ok & (path == PATH_SEARCH))
    brand_named = e_brand[s]
    searches = {
        "id": rand.unique_ids(rand.NS_SEARCH, chunk, len(s), w.seed),
        "buyer": buyer[s],
        "ms": step_t[s],
        "brand": brand_named,
        "industry": w.brand_industry[brand_named].astype(np.int64),
        "noun": np.where(rng.random(len(s)) < 0.3, w.spu_noun[w.note_spu[e_note[s]]], -1),
        "modifier": np.where(rng.random(len(s)) < 0.2, 4, 0),  # 4 = "小红书同款"
        "utc": np.zeros(len(s), dtype=bool),
    }
    lk = np.flatnonzero(ok & (path == PATH_LINK))
    links = {"note": e_note[lk], "user": e_user[lk], "ms": link_t[lk]}

    c = np.flatnonzero(convert)
    item = w.tb_item_of_spu[w.note_spu[e_note[c]]]
    orders = tb_order_lines(rng, w, buyer[c], item, order_t[c])
    orders["id"] = rand.unique_ids(rand.NS_TB_ORDER, chunk, len(c), w.seed)
    orders["utc"] = np.zeros(len(c), dtype=bool)
    truth = {
        "platform": np.full(len(c), PLATFORM_CODES["taobao"]),
        "id": orders["id"],
        "note": e_note[c],
        "user": e_user[c],
        "path": path[c],
    }
    return links, orders, truth, visits, searches


def _jd_orders(
    rng: np.random.Generator, w: World, pair: Columns, chunk: int
) -> tuple[Columns, Columns, Columns]:
    """Orders on jd by jd-matched users exposed to a brand with a jd shop."""
    idx = np.flatnonzero(
        (w.brand_jd_shop[pair["brand"]] >= 0) & (w.users.jd_status[pair["user"]] == STATUS_MATCHED)
    )
    can_link = pair["read"][idx] & (w.note_link[pair["note"][idx]] == LINK_JD)
    prob = np.array(JD_CONVERSION)[pair["half"][idx]] * np.where(
        can_link, JD_LINK_CONVERSION_LIFT, 1.0
    )
    converts = rng.random(len(idx)) < prob
    idx, can_link = idx[converts], can_link[converts]
    n = len(idx)
    user, b, note = pair["user"][idx], pair["brand"][idx], pair["note"][idx]
    read, touch = pair["read"][idx], pair["touch_t"][idx]
    link_path = can_link & (rng.random(n) < JD_LINK_PATH_SHARE)
    link_t = touch + rand.uniform_int(rng, 3 * SECOND_MS, 60 * SECOND_MS, n)
    max_delay = np.minimum(
        np.where(read, 5 * DAY_MS, 20 * HOUR_MS), END_MS - touch - 10 * MINUTE_MS
    )
    ok = max_delay > MINUTE_MS
    direct_t = touch + _delay(rng, np.maximum(max_delay, MINUTE_MS + 1))
    order_t = np.where(
        link_path, link_t + rand.uniform_int(rng, MINUTE_MS, 2 * HOUR_MS, n), direct_t
    )
    ok &= order_t < END_MS - MINUTE_MS
    order_day = np.clip(day_of(order_t), 0, N_DAYS - 1)
    ok &= w.jd_in_force[order_day, b]
    c = np.flatnonzero(ok)
    sku = w.jd_sku_of_spu[w.note_spu[note[c]]]
    orders = jd_order_lines(
        rng, w, w.users.jd_buyer[user[c]], sku, order_t[c], np.where(link_path[c], note[c], -1)
    )
    orders["id"] = rand.unique_ids(rand.NS_JD_ORDER, chunk, len(c), w.seed)
    lk = c[link_path[c]]
    links = {"note": note[lk], "user": user[lk], "ms": link_t[lk]}
    truth = {
        "platform": np.full(len(c), PLATFORM_CODES["jd"]),
        "id": orders["id"],
        "note": note[c],
        "user": user[c],
        "path": np.where(link_path[c], PATH_LINK, PATH_DIRECT),
    }
    return links, orders, truth
