"""The static world: users, brands, shops, products, accounts, notes, the
tri-party accounts and the identity bridge.

Everything here is small next to the event streams (at most a few million
rows of plain NumPy arrays at scale 10) and is built once, before the chunked
simulation in `engagement` and `commerce`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from redcat.contract import INDUSTRIES
from redcat.generate import names, rand
from redcat.generate.story import (
    DAY_MS,
    END_MS,
    HOUR_MS,
    JD_MATCHED_SHARE,
    JD_WEAK_SHARE,
    LAUNCH_DAY,
    LAUNCH_MS,
    MULTI_CANDIDATE_SHARE,
    N_DAYS,
    PILOT_CODES,
    START_MS,
    TB_MATCHED_SHARE,
    TB_WEAK_SHARE,
    TIE_SHARE,
    Volumes,
    day_index,
    day_of,
)

N_INDUSTRIES = len(INDUSTRIES)

# Codes used throughout the generator (index into the contract's enumerations).
LINK_TAOBAO, LINK_JD, LINK_XHS_SHOP = 0, 1, 2
STATUS_NONE, STATUS_MATCHED, STATUS_WEAK = 0, 1, 2
PLATFORM_TAOBAO, PLATFORM_JD = 0, 1

# Tri-party patterns: in force throughout, starting late, ending, two periods, none.
_PATTERNS = ("full", "late", "ending", "two", "none")
_PATTERN_PROBS = (0.50, 0.12, 0.08, 0.10, 0.20)

AD_SHARE = 0.28  # share of seeding notes that are paid ad notes
AD_SHARE_PILOT_AFTER_LAUNCH = 0.5
LAUNCH_NOTES_PER_BRAND = 3  # linked ad notes every pilot brand publishes at the launch
AD_BOOST = 1.8  # ad notes get this many times the impressions of organic ones
LINKED_AD_BOOST = 2.0  # and linked ad notes this many times more again

# Impression delay after publication: a mixture of a fast and a slow decay.
DELAY_FAST_SHARE = 0.7
DELAY_FAST_MS = 2 * DAY_MS
DELAY_SLOW_MS = 15 * DAY_MS


@dataclass
class Users:
    n: int
    by_segment: list[rand.WeightedSampler]  # over users s, s+6, s+12, ... (industry s)
    everyone: rand.WeightedSampler
    tb_status: np.ndarray  # int8, STATUS_*
    jd_status: np.ndarray
    tb_buyer: np.ndarray  # int32: the tb buyer this user is (matched or not)
    jd_buyer: np.ndarray

    def draw(
        self, rng: np.random.Generator, segment: np.ndarray, p_segment: float = 0.6
    ) -> np.ndarray:
        """Users for impressions: mostly from the segment interested in the
        note's industry, otherwise from everyone; heavy users more often."""
        n = len(segment)
        out = self.everyone.draw(rng, n)
        in_segment = rng.random(n) < p_segment
        for s in range(N_INDUSTRIES):
            mask = in_segment & (segment == s)
            k = int(mask.sum())
            if k:
                out[mask] = s + N_INDUSTRIES * self.by_segment[s].draw(rng, k)
        return out


@dataclass
class Buyers:
    """One platform's buyers: indices [0, n_matched) are matched xhs users,
    [n_matched, n) were never matched."""

    n_matched: int
    n: int
    others: rand.WeightedSampler  # over the never-matched pool

    def draw_background(self, rng: np.random.Generator, n: int, matched_share: float) -> np.ndarray:
        out = self.n_matched + self.others.draw(rng, n)
        if self.n_matched:
            matched = rng.random(n) < matched_share
            out[matched] = rng.integers(0, self.n_matched, int(matched.sum()))
        return out


@dataclass
class World:
    seed: int
    vol: Volumes
    users: Users
    tb_buyers: Buyers
    jd_buyers: Buyers
    matches: dict[str, np.ndarray]
    # brands: xhs brands [0, n_brands), then brands present only on tb/jd
    n_brands: int
    brand_industry: np.ndarray
    brand_name: list[str]
    brand_weight: np.ndarray
    brand_tb_shop: np.ndarray  # -1 when none
    brand_jd_shop: np.ndarray
    brand_spu_start: np.ndarray
    brand_spu_count: np.ndarray
    tb_in_force: np.ndarray  # bool [day, xhs brand]: tri-party links its tb shop that day
    jd_in_force: np.ndarray
    tb_linked_ever: np.ndarray  # bool [xhs brand]
    tri_party: dict[str, np.ndarray]
    # products and shops
    spu_ids: pa.Array
    spu_brand: np.ndarray
    spu_price_fen: np.ndarray
    spu_noun: np.ndarray
    spu_variant: np.ndarray
    tb_item_of_spu: np.ndarray
    jd_sku_of_spu: np.ndarray
    tb_shop_ids: pa.Array
    tb_shop_brand: np.ndarray
    tb_shop_is_tmall: np.ndarray
    tb_shop_suffix: np.ndarray
    tb_shop_cum: np.ndarray
    tb_shop_item_start: np.ndarray
    tb_shop_item_count: np.ndarray
    tb_item_ids: pa.Array
    tb_item_spu: np.ndarray
    tb_item_shop: np.ndarray
    jd_vender_ids: pa.Array
    jd_shop_brand: np.ndarray
    jd_shop_suffix: np.ndarray
    jd_shop_cum: np.ndarray
    jd_shop_sku_start: np.ndarray
    jd_shop_sku_count: np.ndarray
    jd_sku_ids: pa.Array
    jd_sku_spu: np.ndarray
    # xhs accounts: brand accounts [0, n_brands) (account b is brand b), then creators
    account_ids: pa.Array
    account_type: np.ndarray  # index into contract.ACCOUNT_TYPES
    account_nickname: pa.Array
    account_followers: np.ndarray
    account_created_ms: np.ndarray
    # notes, ordered by publication time
    note_ids: pa.Array
    note_author: np.ndarray
    note_brand: np.ndarray  # -1 for lifestyle notes
    note_is_ad: np.ndarray
    note_industry: np.ndarray  # -1 when none
    note_spu: np.ndarray  # -1 when none
    note_link: np.ndarray  # LINK_* or -1
    note_link_item: pa.Array  # nullable
    note_published_ms: np.ndarray
    note_expected_impressions: np.ndarray
    note_segment: np.ndarray

    @property
    def is_seeding(self) -> np.ndarray:
        return self.note_brand >= 0


def build_world(seed: int, vol: Volumes) -> World:
    rng = rand.stream(seed, "world")
    users = _build_users(seed, vol)
    tb_buyers, jd_buyers = _build_buyers(seed, vol, users)
    matches = _build_matches(seed, vol, users, tb_buyers, jd_buyers)

    # --- brands -------------------------------------------------------------------
    n_brands, n_all = vol.brands, vol.brands + vol.outside_brands
    industry = (np.arange(n_all) % N_INDUSTRIES).astype(np.int8)
    brand_name = names.brand_names(rng, n_all)
    weight = rng.lognormal(0.0, 0.8, n_all)
    is_xhs = np.arange(n_all) < n_brands
    has_tb = rng.random(n_all) < np.where(is_xhs, 0.85, 0.8)
    has_jd = rng.random(n_all) < np.where(is_xhs, 0.5, 0.4)
    neither = ~has_tb & ~has_jd
    has_tb[neither] = True
    pattern = rand.categorical(rng, _PATTERN_PROBS, n_brands)
    # The first brands of each industry are fully linked, so every industry
    # (and both pilot industries, with tb links) is present at any scale.
    rank_in_industry = np.arange(n_all) // N_INDUSTRIES
    first = is_xhs & (rank_in_industry == 0)
    has_tb[first] = True
    has_jd[first] = True
    second_pilot = is_xhs & (rank_in_industry == 1) & np.isin(industry, PILOT_CODES)
    has_tb[second_pilot] = True
    pattern[(first | second_pilot)[:n_brands]] = _PATTERNS.index("full")

    n_spu = np.clip(np.round(rng.lognormal(np.log(8.0), 0.5, n_all)), 3, 40).astype(np.int64)
    spu_start = np.concatenate([[0], np.cumsum(n_spu)[:-1]])
    n_spus = int(n_spu.sum())
    spu_brand = np.repeat(np.arange(n_all), n_spu)
    spu_industry = industry[spu_brand]
    median = np.array([m for m, _ in names.PRICE_LEVELS])[spu_industry]
    sd = np.array([s for _, s in names.PRICE_LEVELS])[spu_industry]
    price_yuan = median * np.exp(rng.normal(0.0, 1.0, n_spus) * sd)
    price_yuan = np.maximum(9, np.floor(price_yuan / 10) * 10 + 9)
    spu_price_fen = (price_yuan * 100).astype(np.int64)
    noun_counts = np.array([len(x) for x in names.PRODUCT_NOUNS])
    spu_noun = np.floor(rng.random(n_spus) * noun_counts[spu_industry]).astype(np.int64)
    spu_variant = rng.integers(0, len(names.VARIANTS), n_spus)
    spu_ids = rand.hex_ids("spu_", rand.unique_ids(rand.NS_SPU, 0, n_spus, seed))

    # tb shops: one per brand with tb, each selling every product of its brand.
    tb_shop_brand = np.flatnonzero(has_tb)
    brand_tb_shop = np.full(n_all, -1, dtype=np.int64)
    brand_tb_shop[tb_shop_brand] = np.arange(len(tb_shop_brand))
    tb_item_of_spu = np.full(n_spus, -1, dtype=np.int64)
    tb_item_spu = np.flatnonzero(has_tb[spu_brand])
    tb_item_of_spu[tb_item_spu] = np.arange(len(tb_item_spu))
    tb_item_shop = brand_tb_shop[spu_brand[tb_item_spu]]
    tb_shop_item_count = n_spu[tb_shop_brand]
    tb_shop_item_start = np.concatenate([[0], np.cumsum(tb_shop_item_count)[:-1]])
    tb_shop_is_tmall = rng.random(len(tb_shop_brand)) < 0.6
    tb_shop_suffix = np.where(
        tb_shop_is_tmall,
        rng.integers(0, 2, len(tb_shop_brand)),
        rng.integers(2, len(names.SHOP_SUFFIXES_TB), len(tb_shop_brand)),
    )
    tb_shop_cum = np.cumsum(weight[tb_shop_brand] * np.where(tb_shop_is_tmall, 1.5, 1.0))

    jd_shop_brand = np.flatnonzero(has_jd)
    brand_jd_shop = np.full(n_all, -1, dtype=np.int64)
    brand_jd_shop[jd_shop_brand] = np.arange(len(jd_shop_brand))
    jd_sku_of_spu = np.full(n_spus, -1, dtype=np.int64)
    jd_sku_spu = np.flatnonzero(has_jd[spu_brand])
    jd_sku_of_spu[jd_sku_spu] = np.arange(len(jd_sku_spu))
    jd_shop_sku_count = n_spu[jd_shop_brand]
    jd_shop_sku_start = np.concatenate([[0], np.cumsum(jd_shop_sku_count)[:-1]])
    jd_shop_suffix = rng.integers(0, len(names.SHOP_SUFFIX_JD), len(jd_shop_brand))
    jd_shop_cum = np.cumsum(weight[jd_shop_brand])

    tri_party, tb_in_force, jd_in_force = _build_tri_party(
        rng, seed, n_brands, pattern, has_tb[:n_brands], has_jd[:n_brands]
    )
    tb_linked_ever = np.zeros(n_brands, dtype=bool)
    tb_linked_ever[tri_party["brand"][tri_party["has_tb"]]] = True

    # --- accounts -----------------------------------------------------------------
    n_accounts = n_brands + vol.creators
    account_type = np.zeros(n_accounts, dtype=np.int8)
    account_type[n_brands:] = np.where(rng.random(vol.creators) < 0.06, 2, 1)
    created = np.empty(n_accounts, dtype=np.int64)
    created[:n_brands] = START_MS + rand.uniform_int(rng, 0, 6 * HOUR_MS, n_brands)
    early = rng.random(vol.creators) < 0.65
    created[n_brands:] = np.where(
        early,
        START_MS + rand.uniform_int(rng, 0, 14 * DAY_MS, vol.creators),
        START_MS + rand.uniform_int(rng, 0, END_MS - START_MS - 30 * DAY_MS, vol.creators),
    )
    followers = np.empty(n_accounts, dtype=np.int64)
    followers[:n_brands] = rng.lognormal(10.0, 1.2, n_brands)
    followers[n_brands:] = rng.lognormal(7.0, 1.8, vol.creators)
    followers = np.minimum(followers, 2_000_000_000)
    suffix = rng.integers(0, len(names.BRAND_ACCOUNT_SUFFIXES), n_brands)
    nick_h = rng.integers(0, len(names.NICK_HEADS), vol.creators)
    nick_c = rng.integers(0, len(names.NICK_CORES), vol.creators)
    nick_t = rng.integers(0, len(names.NICK_TAILS), vol.creators)
    nicknames = pa.concat_arrays(
        [
            _join(pa.array(brand_name[:n_brands]), _pick(names.BRAND_ACCOUNT_SUFFIXES, suffix)),
            _join(
                _pick(names.NICK_HEADS, nick_h),
                _pick(names.NICK_CORES, nick_c),
                _pick(names.NICK_TAILS, nick_t),
            ),
        ]
    )
    account_ids = rand.hex_ids("xa_", rand.unique_ids(rand.NS_ACCOUNT, 0, n_accounts, seed))

    world = World(
        seed=seed,
        vol=vol,
        users=users,
        tb_buyers=tb_buyers,
        jd_buyers=jd_buyers,
        matches=matches,
        n_brands=n_brands,
        brand_industry=industry,
        brand_name=brand_name,
        brand_weight=weight,
        brand_tb_shop=brand_tb_shop,
        brand_jd_shop=brand_jd_shop,
        brand_spu_start=spu_start,
        brand_spu_count=n_spu,
        tb_in_force=tb_in_force,
        jd_in_force=jd_in_force,
        tb_linked_ever=tb_linked_ever,
        tri_party=tri_party,
        spu_ids=spu_ids,
        spu_brand=spu_brand,
        spu_price_fen=spu_price_fen,
        spu_noun=spu_noun,
        spu_variant=spu_variant,
        tb_item_of_spu=tb_item_of_spu,
        jd_sku_of_spu=jd_sku_of_spu,
        tb_shop_ids=rand.hex_ids(
            "ts_", rand.unique_ids(rand.NS_TB_SHOP, 0, len(tb_shop_brand), seed)
        ),
        tb_shop_brand=tb_shop_brand,
        tb_shop_is_tmall=tb_shop_is_tmall,
        tb_shop_suffix=tb_shop_suffix,
        tb_shop_cum=tb_shop_cum,
        tb_shop_item_start=tb_shop_item_start,
        tb_shop_item_count=tb_shop_item_count,
        tb_item_ids=rand.hex_ids(
            "ti_", rand.unique_ids(rand.NS_TB_ITEM, 0, len(tb_item_spu), seed)
        ),
        tb_item_spu=tb_item_spu,
        tb_item_shop=tb_item_shop,
        # JD numbers its shops and skus sequentially.
        jd_vender_ids=pa.array((1_000_101 + 7 * np.arange(len(jd_shop_brand))).astype(str)),
        jd_shop_brand=jd_shop_brand,
        jd_shop_suffix=jd_shop_suffix,
        jd_shop_cum=jd_shop_cum,
        jd_shop_sku_start=jd_shop_sku_start,
        jd_shop_sku_count=jd_shop_sku_count,
        jd_sku_ids=pa.array((100_012_000_003 + 1_013 * np.arange(len(jd_sku_spu))).astype(str)),
        jd_sku_spu=jd_sku_spu,
        account_ids=account_ids,
        account_type=account_type,
        account_nickname=nicknames,
        account_followers=followers,
        account_created_ms=created,
        note_ids=pa.array([], pa.string()),
        note_author=np.zeros(0, dtype=np.int64),
        note_brand=np.zeros(0, dtype=np.int64),
        note_is_ad=np.zeros(0, dtype=bool),
        note_industry=np.zeros(0, dtype=np.int64),
        note_spu=np.zeros(0, dtype=np.int64),
        note_link=np.zeros(0, dtype=np.int64),
        note_link_item=pa.array([], pa.string()),
        note_published_ms=np.zeros(0, dtype=np.int64),
        note_expected_impressions=np.zeros(0),
        note_segment=np.zeros(0, dtype=np.int64),
    )
    _build_notes(world)
    return world


def _pick(vocabulary: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    return pa.array(vocabulary, pa.string()).take(pa.array(codes))


def _join(*parts: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _build_users(seed: int, vol: Volumes) -> Users:
    rng = rand.stream(seed, "users")
    n = vol.users
    weight = rng.lognormal(0.0, 1.0, n)
    # Heavy xhs users are more often also tb/jd shoppers known to the bridge.
    affinity = weight**0.7 / np.mean(weight**0.7)

    def status(matched: float, weak: float) -> np.ndarray:
        p_matched = np.minimum(matched * affinity, 0.9)
        r = rng.random(n)
        return np.where(
            r < p_matched, STATUS_MATCHED, np.where(r < p_matched + weak, STATUS_WEAK, STATUS_NONE)
        ).astype(np.int8)

    tb_status = status(TB_MATCHED_SHARE, TB_WEAK_SHARE)
    jd_status = status(JD_MATCHED_SHARE, JD_WEAK_SHARE)
    return Users(
        n=n,
        by_segment=[rand.WeightedSampler(weight[s::N_INDUSTRIES]) for s in range(N_INDUSTRIES)],
        everyone=rand.WeightedSampler(weight),
        tb_status=tb_status,
        jd_status=jd_status,
        tb_buyer=np.zeros(n, dtype=np.int32),
        jd_buyer=np.zeros(n, dtype=np.int32),
    )


def _build_buyers(seed: int, vol: Volumes, users: Users) -> tuple[Buyers, Buyers]:
    rng = rand.stream(seed, "users", 1)
    platforms = []
    for platform, status, n_other in (
        (PLATFORM_TAOBAO, users.tb_status, vol.tb_other_buyers),
        (PLATFORM_JD, users.jd_status, vol.jd_other_buyers),
    ):
        matched = status == STATUS_MATCHED
        n_matched = int(matched.sum())
        # A user the bridge did not match still shops as some never-matched buyer.
        pseudo = rand.mix64(
            np.arange(users.n, dtype=np.uint64) ^ np.uint64(rand.NS_PSEUDO_BUYER << 56 | platform)
        )
        buyer = (n_matched + (pseudo % np.uint64(n_other))).astype(np.int32)
        buyer[matched] = np.arange(n_matched)
        if platform == PLATFORM_TAOBAO:
            users.tb_buyer = buyer
        else:
            users.jd_buyer = buyer
        other_weight = rng.lognormal(0.0, 0.8, n_other)
        platforms.append(Buyers(n_matched, n_matched + n_other, rand.WeightedSampler(other_weight)))
    return platforms[0], platforms[1]


def _build_matches(
    seed: int, vol: Volumes, users: Users, tb: Buyers, jd: Buyers
) -> dict[str, np.ndarray]:
    """Rows of shared.user_matches: the true match of every matched user (>= the
    confidence floor), lower decoy candidates for some, equal-confidence older
    decoys for a few (ties broken by the latest matched_at), and candidates that
    stay below the floor for weakly matched users."""
    rng = rand.stream(seed, "matches")
    parts: list[dict[str, np.ndarray]] = []
    for platform, status, buyer_of, buyers in (
        (PLATFORM_TAOBAO, users.tb_status, users.tb_buyer, tb),
        (PLATFORM_JD, users.jd_status, users.jd_buyer, jd),
    ):
        n_other = buyers.n - buyers.n_matched
        matched = np.flatnonzero(status == STATUS_MATCHED)
        k = len(matched)
        conf = np.round(0.8 + 0.199 * rng.beta(2.0, 1.2, k), 3)
        at = START_MS + rand.uniform_int(rng, 12 * DAY_MS, 120 * DAY_MS, k)
        parts.append(
            {
                "user": matched,
                "platform": np.full(k, platform),
                "buyer": buyer_of[matched],
                "method": rand.categorical(rng, (0.5, 0.3, 0.2), k),
                "confidence": conf,
                "matched_ms": at,
                "rank": np.zeros(k, dtype=np.int64),
            }
        )
        # lower decoys (one or two) for some matched users
        multi = rng.random(k) < MULTI_CANDIDATE_SHARE
        n_decoys = np.where(multi, rng.integers(1, 3, k), 0)
        d_src = np.repeat(np.arange(k), n_decoys)
        d_rank = 1 + np.arange(len(d_src)) - np.repeat(np.cumsum(n_decoys) - n_decoys, n_decoys)
        d_user = matched[d_src]
        d_conf = np.round(0.3 + rng.random(len(d_src)) * (conf[d_src] - 0.01 - 0.3), 3)
        parts.append(
            {
                "user": d_user,
                "platform": np.full(len(d_src), platform),
                "buyer": buyers.n_matched + _decoy_buyer(d_user, d_rank, platform, n_other),
                "method": rand.categorical(rng, (0.2, 0.3, 0.5), len(d_src)),
                "confidence": d_conf,
                "matched_ms": START_MS + rand.uniform_int(rng, 0, 400 * DAY_MS, len(d_src)),
                "rank": d_rank,
            }
        )
        # ties: same confidence, matched earlier -> the true (latest) one wins
        tie = np.flatnonzero(rng.random(k) < TIE_SHARE)
        parts.append(
            {
                "user": matched[tie],
                "platform": np.full(len(tie), platform),
                "buyer": buyers.n_matched + _decoy_buyer(matched[tie], 3, platform, n_other),
                "method": rand.categorical(rng, (0.2, 0.3, 0.5), len(tie)),
                "confidence": conf[tie],
                "matched_ms": at[tie] - rand.uniform_int(rng, HOUR_MS, 10 * DAY_MS, len(tie)),
                "rank": np.full(len(tie), 3),
            }
        )
        # weak users: their own (never-matched) buyer key, and sometimes another,
        # both below the floor
        weak = np.flatnonzero(status == STATUS_WEAK)
        second = weak[rng.random(len(weak)) < 0.3]
        w_user = np.concatenate([weak, second])
        w_buyer = np.concatenate(
            [buyer_of[weak], buyers.n_matched + _decoy_buyer(second, 4, platform, n_other)]
        )
        parts.append(
            {
                "user": w_user,
                "platform": np.full(len(w_user), platform),
                "buyer": w_buyer,
                "method": rand.categorical(rng, (0.2, 0.4, 0.4), len(w_user)),
                "confidence": np.round(0.3 + 0.49 * rng.random(len(w_user)), 3),
                "matched_ms": START_MS
                + rand.uniform_int(rng, 0, END_MS - START_MS - DAY_MS, len(w_user)),
                "rank": np.concatenate([np.zeros(len(weak), np.int64), np.full(len(second), 4)]),
            }
        )
    rows = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    # One row per (user, platform, candidate buyer): keep the first occurrence.
    key = (rows["platform"] * (1 << 31) + rows["user"]) * (1 << 31) + rows["buyer"]
    order = np.lexsort((rows["rank"], key))
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    keep = order[first]
    keep = keep[np.lexsort((rows["rank"][keep], rows["user"][keep], rows["platform"][keep]))]
    return {k: v[keep] for k, v in rows.items() if k != "rank"}


def _decoy_buyer(
    user: np.ndarray, rank: np.ndarray | int, platform: int, n_other: int
) -> np.ndarray:
    x = (np.asarray(user, dtype=np.uint64) << np.uint64(3)) | np.asarray(rank, dtype=np.uint64)
    x = x ^ np.uint64((rand.NS_PSEUDO_BUYER + 1) << 56 | platform)
    return (rand.mix64(x) % np.uint64(n_other)).astype(np.int64)


def _build_tri_party(
    rng: np.random.Generator,
    seed: int,
    n_brands: int,
    pattern: np.ndarray,
    has_tb: np.ndarray,
    has_jd: np.ndarray,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Validity periods per brand, never overlapping; each shop belongs to one
    brand, so no shop has two brands on a day."""
    p = {name: pattern == i for i, name in enumerate(_PATTERNS)}
    late_from = rand.uniform_int(
        rng, day_index(date(2024, 3, 1)), day_index(date(2025, 3, 31)) + 1, n_brands
    )
    end_to = rand.uniform_int(
        rng, day_index(date(2024, 6, 1)), day_index(date(2025, 4, 30)) + 1, n_brands
    )
    two_to = rand.uniform_int(
        rng, day_index(date(2024, 4, 1)), day_index(date(2024, 12, 31)) + 1, n_brands
    )
    gap = rng.integers(0, 31, n_brands)
    brands = np.arange(n_brands)

    rows_brand, rows_from, rows_to, rows_tb, rows_jd = [], [], [], [], []

    def add(
        mask: np.ndarray, start: np.ndarray, end: np.ndarray, tb: np.ndarray, jd: np.ndarray
    ) -> None:
        rows_brand.append(brands[mask])
        rows_from.append(start[mask])
        rows_to.append(end[mask])
        rows_tb.append(tb[mask])
        rows_jd.append(jd[mask])

    zeros = np.zeros(n_brands, dtype=np.int64)
    open_end = np.full(n_brands, -1, dtype=np.int64)
    add(p["full"], zeros, open_end, has_tb, has_jd)
    add(p["late"], late_from, open_end, has_tb, has_jd)
    add(p["ending"], zeros, end_to, has_tb, has_jd)
    # two periods: jd joins in the second one when the brand has both shops
    first_jd = has_jd & ~has_tb
    add(p["two"], zeros, two_to, has_tb, first_jd)
    add(p["two"], two_to + gap + 1, open_end, has_tb, has_jd)

    brand = np.concatenate(rows_brand)
    order = np.lexsort((np.concatenate(rows_from), brand))
    tri = {
        "brand": brand[order],
        "valid_from": np.concatenate(rows_from)[order],
        "valid_to": np.concatenate(rows_to)[order],
        "has_tb": np.concatenate(rows_tb)[order],
        "has_jd": np.concatenate(rows_jd)[order],
    }
    tri["tri_account"] = rand.unique_ids(rand.NS_TRI_PARTY, 0, n_brands, seed)[tri["brand"]]

    def in_force(flag: np.ndarray) -> np.ndarray:
        diff = np.zeros((N_DAYS + 1, n_brands), dtype=np.int32)
        b = tri["brand"][flag]
        to = np.where(tri["valid_to"][flag] < 0, N_DAYS - 1, tri["valid_to"][flag])
        np.add.at(diff, (tri["valid_from"][flag], b), 1)
        np.add.at(diff, (to + 1, b), -1)
        return np.cumsum(diff, axis=0)[:N_DAYS] > 0

    return tri, in_force(tri["has_tb"]), in_force(tri["has_jd"])


def _survival(publish_ms: np.ndarray) -> np.ndarray:
    """Share of a note's impressions that fall before the end of the period."""
    left = np.maximum(END_MS - publish_ms, 0).astype(np.float64)
    share: np.ndarray = DELAY_FAST_SHARE * (1 - np.exp(-left / DELAY_FAST_MS)) + (
        1 - DELAY_FAST_SHARE
    ) * (1 - np.exp(-left / DELAY_SLOW_MS))
    return share


def _build_notes(w: World) -> None:
    rng = rand.stream(w.seed, "notes")
    vol, nb = w.vol, w.n_brands
    n_reg = round(0.8 * vol.notes)
    n_life = vol.notes - n_reg
    growth = np.cumsum(1.0 + 0.8 * np.arange(N_DAYS) / N_DAYS)

    def publish_times(n: int) -> np.ndarray:
        day = rand.weighted_draw(rng, growth, n)
        times: np.ndarray = (
            START_MS + day * DAY_MS + rand.uniform_int(rng, 8 * HOUR_MS, 24 * HOUR_MS, n)
        )
        return times

    # regular seeding notes
    brand = rand.weighted_draw(rng, np.cumsum(w.brand_weight[:nb]), n_reg)
    pub = publish_times(n_reg)
    # pilot brands shift to ad notes once the ad-note link is live
    after_launch = np.isin(w.brand_industry[brand], PILOT_CODES) & (day_of(pub) >= LAUNCH_DAY)
    is_ad: np.ndarray = rng.random(n_reg) < np.where(
        after_launch, AD_SHARE_PILOT_AFTER_LAUNCH, AD_SHARE
    )
    by_brand = rng.random(n_reg) < np.where(is_ad, 0.5, 0.2)
    # kick-off ad note of every brand account, right after it opens
    kick_brand = np.arange(nb)
    kick_pub = w.account_created_ms[:nb] + rand.uniform_int(rng, HOUR_MS, 30 * HOUR_MS, nb)
    # launch ad notes: two per pilot brand whose tri-party links a shop at the launch
    pilot = np.isin(w.brand_industry[:nb], PILOT_CODES)
    linked = w.tb_in_force[LAUNCH_DAY] | w.jd_in_force[LAUNCH_DAY]
    launch_brand = np.repeat(np.flatnonzero(pilot & linked), LAUNCH_NOTES_PER_BRAND)
    n_launch = len(launch_brand)
    launch_pub = LAUNCH_MS + rand.uniform_int(rng, HOUR_MS, 20 * DAY_MS, n_launch)
    # lifestyle notes (no brand)
    life_pub = publish_times(n_life)

    n_seed = n_reg + nb + n_launch
    brand = np.concatenate([brand, kick_brand, launch_brand, np.full(n_life, -1)])
    is_ad = np.concatenate([is_ad, np.ones(nb + n_launch, bool), np.zeros(n_life, bool)])
    by_brand = np.concatenate([by_brand, np.ones(nb + n_launch, bool), np.zeros(n_life, bool)])
    pub = np.concatenate([pub, kick_pub, launch_pub, life_pub])
    is_launch = np.zeros(len(pub), dtype=bool)
    is_launch[n_reg + nb : n_seed] = True
    n = len(pub)

    # authors: the brand account, or a creator/buyer account that exists by then
    creators = np.arange(nb, len(w.account_type))
    c_order = np.argsort(w.account_created_ms[creators], kind="stable")
    c_sorted = creators[c_order]
    c_created = w.account_created_ms[c_sorted]
    available = np.searchsorted(c_created, pub, side="left")
    by_brand |= (available == 0) & (brand >= 0)
    pick = np.minimum(
        np.floor(rng.random(n) * np.maximum(available, 1)).astype(np.int64), len(c_sorted) - 1
    )
    author = np.where(by_brand, brand, c_sorted[pick])
    pub = np.maximum(pub, w.account_created_ms[author] + HOUR_MS)

    industry: np.ndarray = np.where(brand >= 0, w.brand_industry[np.maximum(brand, 0)], -1).astype(
        np.int64
    )
    life = brand < 0
    life_industry = np.where(rng.random(n) < 0.6, rng.integers(0, N_INDUSTRIES, n), -1)
    industry[life] = life_industry[life]
    segment = np.where(industry >= 0, industry, rng.integers(0, N_INDUSTRIES, n))
    b0 = np.maximum(brand, 0)
    spu = np.where(
        brand >= 0,
        w.brand_spu_start[b0] + np.floor(rng.random(n) * w.brand_spu_count[b0]).astype(np.int64),
        -1,
    )

    # links: taobao/jd only under ad notes of pilot brands from the launch on
    pub_day = np.clip(day_of(pub), 0, N_DAYS - 1)
    tb_ok = np.where(brand >= 0, w.tb_in_force[pub_day, b0], False)
    jd_ok = np.where(brand >= 0, w.jd_in_force[pub_day, b0], False)
    wants = (
        is_ad
        & np.isin(industry, PILOT_CODES)
        & (brand >= 0)
        & (pub_day >= LAUNCH_DAY)
        & (is_launch | (rng.random(n) < 0.85))
    )
    prefer_tb = rng.random(n) < 0.6
    link: np.ndarray = np.full(n, -1, dtype=np.int64)
    link[wants & tb_ok & (prefer_tb | ~jd_ok)] = LINK_TAOBAO
    link[wants & jd_ok & (link < 0)] = LINK_JD
    author_type = w.account_type[author]
    shop_link = np.where(
        author_type == 2, rng.random(n) < 0.6, by_brand & ~is_ad & (rng.random(n) < 0.05)
    )
    link[shop_link & (link < 0)] = LINK_XHS_SHOP

    order = np.argsort(pub, kind="stable")
    brand, is_ad, author, industry, spu, link, pub, segment = (
        a[order] for a in (brand, is_ad, author, industry, spu, link, pub, segment)
    )
    s0 = np.maximum(spu, 0)
    tb_item = w.tb_item_of_spu[s0]
    jd_sku = w.jd_sku_of_spu[s0]
    xhs_items = rand.hex_ids("xsi_", rand.unique_ids(rand.NS_XHS_ITEM, 0, n, w.seed))
    tb_text = w.tb_item_ids.take(pa.array(np.maximum(tb_item, 0)))
    jd_text = (
        w.jd_sku_ids.take(pa.array(np.maximum(jd_sku, 0)))
        if len(w.jd_sku_ids)
        else pa.nulls(n, pa.string())
    )
    link_item = pc.if_else(
        pa.array(link < 0),
        pa.scalar(None, pa.string()),
        pc.if_else(
            pa.array(link == LINK_TAOBAO),
            tb_text,
            pc.if_else(pa.array(link == LINK_JD), jd_text, xhs_items),
        ),
    )

    weight = rng.lognormal(0.0, 1.2, n) * np.where(is_ad, AD_BOOST, 1.0)
    weight *= np.where(np.isin(link, (LINK_TAOBAO, LINK_JD)), LINKED_AD_BOOST, 1.0)
    expected = weight * _survival(pub)
    scale = vol.impressions / expected.sum() if expected.sum() > 0 else 0.0

    w.note_ids = rand.hex_ids("xn_", rand.unique_ids(rand.NS_NOTE, 0, n, w.seed))
    w.note_author = author
    w.note_brand = brand
    w.note_is_ad = is_ad
    w.note_industry = industry
    w.note_spu = spu
    w.note_link = link
    w.note_link_item = link_item
    w.note_published_ms = pub
    w.note_expected_impressions = weight * scale
    w.note_segment = segment
