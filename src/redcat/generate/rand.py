"""Deterministic randomness and vectorised helpers for the generator.

Every part of the generator draws from its own NumPy stream, derived from the
seed, a stream name and (for chunked work) the chunk number, so the output
depends only on the seed and the scale, never on timing or threads.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_STREAMS = {
    "world": 1,
    "users": 2,
    "matches": 3,
    "notes": 4,
    "engagement": 5,
    "commerce": 6,
    "campaigns": 7,
    "shop_orders": 8,
}

# Namespaces of the 64-bit identifiers (high byte of the mixed counter).
NS_EVENT = 1
NS_TB_ORDER = 2
NS_JD_ORDER = 3
NS_VISIT = 4
NS_SEARCH = 5
NS_SHOP_ORDER = 6
NS_NOTE = 7
NS_ACCOUNT = 8
NS_TB_SHOP = 9
NS_TB_ITEM = 10
NS_SPU = 11
NS_CAMPAIGN = 12
NS_TRI_PARTY = 13
NS_XHS_ITEM = 14
NS_PSEUDO_BUYER = 15

BACKGROUND_CHUNK_BASE = 1 << 20  # chunk numbers of background (non-seeded) rows


def stream(seed: int, name: str, *keys: int) -> np.random.Generator:
    """An independent generator for (seed, stream name, keys...)."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence([seed, _STREAMS[name], *keys]))
    )


_U64 = np.uint64


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a bijection of uint64, so distinct inputs stay distinct."""
    z = np.asarray(x, dtype=np.uint64) + _U64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
    return z ^ (z >> _U64(31))


def unique_ids(namespace: int, chunk: int, n: int, seed: int = 0) -> np.ndarray:
    """`n` distinct, random-looking uint64 identifiers for (namespace, chunk).

    Distinct (namespace, chunk, position) give distinct values; the seed is
    folded in by a bijective xor before mixing, so another seed gives other ids.
    """
    if chunk >= 1 << 24 or n >= 1 << 32:
        raise ValueError("identifier space exhausted")
    counter = (
        (_U64(namespace) << _U64(56)) | (_U64(chunk) << _U64(32)) | np.arange(n, dtype=np.uint64)
    )
    salt = mix64(np.array([seed], dtype=np.uint64))[0] & _U64((1 << 56) - 1)
    return mix64(counter ^ salt)


# Two lowercase hex digits for every byte value, as one uint16 (memory order).
HEX_PAIRS = np.frombuffer(b"".join(f"{i:02x}".encode() for i in range(256)), dtype=np.uint16)


def hex_ids(prefix: str, values: np.ndarray) -> pa.StringArray:
    """`prefix` followed by the 16 lowercase hex digits of each uint64."""
    v = np.asarray(values, dtype=np.uint64)
    n = len(v)
    p = prefix.encode()
    width = len(p) + 16
    digits = HEX_PAIRS[v.astype(">u8").view(np.uint8).reshape(n, 8)]
    out = np.empty((n, width), dtype=np.uint8)
    out[:, : len(p)] = np.frombuffer(p, dtype=np.uint8)
    out[:, len(p) :] = digits.view(np.uint8).reshape(n, 16)
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(out.tobytes()))


def decimal_ids(values: np.ndarray) -> pa.Array:
    """Decimal text of each uint64 (long numeric ids, like platform order numbers)."""
    return pa.array(np.asarray(values, dtype=np.uint64)).cast(pa.string())


def systematic_sample(
    rng: np.random.Generator, prob: np.ndarray, strata: np.ndarray | None = None
) -> np.ndarray:
    """Choose items with inclusion probabilities `prob` (each <= 1).

    Systematic sampling over a random order, per stratum: each stratum gets
    floor or ceil of the sum of its probabilities, so rates hold exactly (up to
    one item per stratum) instead of only in expectation.
    """
    n = len(prob)
    if n == 0:
        return np.zeros(0, dtype=bool)
    order = rng.permutation(n)
    if strata is not None:
        order = order[stable_argsort(strata[order])]
        size = _run_lengths(strata)
    else:
        size = np.array([n])
    p = np.asarray(prob, dtype=np.float64)[order]
    cum = np.cumsum(p)
    starts = np.cumsum(size) - size
    base = np.repeat(cum[starts] - p[starts], size)
    start = np.repeat(rng.random(len(starts)), size)
    within = cum - base
    chosen = np.floor(within + start) > np.floor(within - p + start)
    out = np.zeros(n, dtype=bool)
    out[order] = chosen
    return out


def _run_lengths(strata: np.ndarray) -> np.ndarray:
    """How many items each stratum value has, in increasing order of value (present values only)."""
    s = np.asarray(strata)
    if s.dtype.kind in "iu" and int(s.min()) >= 0 and int(s.max()) < 1 << 20:
        counts = np.bincount(s)
        present: np.ndarray = counts[counts > 0]
        return present
    _, counts = np.unique(s, return_counts=True)
    return counts


def stable_argsort(values: np.ndarray) -> np.ndarray:
    """`np.argsort(values, kind="stable")` for integers, faster: small
    non-negative values are sorted as 8 or 16-bit (radix sort), others as one
    unique 64-bit key per item (value, then position) when that fits."""
    v = np.asarray(values)
    n = len(v)
    if n == 0 or v.dtype.kind not in "iu":
        return np.argsort(v, kind="stable")
    lo, hi = int(v.min()), int(v.max())
    if lo >= 0 and hi < 1 << 16:
        return np.argsort(v.astype(np.uint8 if hi < 1 << 8 else np.uint16), kind="stable")
    position_bits = max(n - 1, 1).bit_length()
    if (hi - lo).bit_length() + position_bits > 63:
        return np.argsort(v, kind="stable")
    keys = ((v.astype(np.int64) - lo) << position_bits) | np.arange(n, dtype=np.int64)
    keys.sort()
    order: np.ndarray = keys & ((1 << position_bits) - 1)
    return order


def argsort_random_ties(key: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """`np.lexsort((tie, key))` for non-negative integer keys and floats in
    [0, 1) that break their ties, faster: the key and the leading bits of the
    tie-breaker are sorted as one 64-bit value, and the rare items equal on
    both are put in order by the whole tie-breaker (then position)."""
    key = np.asarray(key, dtype=np.int64)
    n = len(key)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    tie = np.asarray(tie, dtype=np.float64)
    tie_bits = 63 - int(key.max()).bit_length()
    if int(key.min()) < 0 or tie_bits < 8 or not (tie.min() >= 0 and tie.max() < 1):
        return np.lexsort((tie, key))
    packed = (key << tie_bits) | (tie * (1 << tie_bits)).astype(np.int64)
    order: np.ndarray = np.argsort(packed)
    sorted_packed = packed[order]
    same = sorted_packed[1:] == sorted_packed[:-1]
    if same.any():
        in_run = np.zeros(n, dtype=bool)
        in_run[1:] |= same
        in_run[:-1] |= same
        at = np.flatnonzero(in_run)
        run = np.cumsum(~np.concatenate([[False], same]))[at]
        members = order[at]
        order[at] = members[np.lexsort((members, tie[members], run))]
    return order


_SEARCH_BUCKETS = 4096


def search_right(edges: np.ndarray, x: np.ndarray) -> np.ndarray:
    """`np.searchsorted(edges, x, side="right")` for a short non-decreasing
    array of non-negative edges, faster: a guess from a table over equal
    buckets of [0, edges[-1]], checked against the edges, and a binary search
    only for the items whose guess is wrong (those near an edge)."""
    edges = np.asarray(edges, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    k = len(edges)
    top = float(edges[-1]) if k else 0.0
    if k == 0 or k > 256 or len(x) < 4 * _SEARCH_BUCKETS or not (top > 0 and edges[0] >= 0):
        found: np.ndarray = np.searchsorted(edges, x, side="right")
        return found
    width = top / _SEARCH_BUCKETS
    table = np.searchsorted(edges, np.arange(_SEARCH_BUCKETS) * width, side="right")
    bucket = np.clip(x * (1 / width), 0, _SEARCH_BUCKETS - 1).astype(np.intp)
    guess = table[bucket]
    padded = np.concatenate([[-np.inf], edges, [np.inf]])
    wrong = ~((padded[guess] <= x) & (x < padded[guess + 1]))
    wrong |= np.isnan(x)
    at = np.flatnonzero(wrong)
    if len(at):
        guess[at] = np.searchsorted(edges, x[at], side="right")
    return guess


class WeightedSampler:
    """Draws indices 0..n-1 with probability proportional to positive weights,
    in O(1) per draw: weights are bucketed in quarter-octave classes, a class
    is drawn by its total weight, then a member uniformly (within a class the
    weights differ by less than 19%)."""

    def __init__(self, weights: np.ndarray) -> None:
        w = np.asarray(weights, dtype=np.float64)
        cls = np.floor(np.log2(w) * 4).astype(np.int64)
        cls -= cls.min(initial=0)
        order = stable_argsort(cls)
        self.members: np.ndarray = order.astype(np.int32 if len(w) < 2**31 else np.int64)
        size = np.bincount(cls, minlength=cls.max(initial=0) + 1)
        total = np.bincount(cls, weights=w, minlength=len(size))
        keep = size > 0
        self.size = size[keep]
        self.start = (np.cumsum(size) - size)[keep]
        self.cum = np.cumsum(total[keep])
        self.n = len(w)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if n == 0 or self.n == 0:
            return np.zeros(0, dtype=np.int64)
        cls = np.minimum(search_right(self.cum, rng.random(n) * self.cum[-1]), len(self.cum) - 1)
        pos = self.start[cls] + (rng.random(n) * self.size[cls]).astype(np.int64)
        drawn: np.ndarray = self.members[pos].astype(np.int64)
        return drawn


def weighted_draw(rng: np.random.Generator, cumulative: np.ndarray, n: int) -> np.ndarray:
    """Indices drawn with probability proportional to the weights whose cumsum is given."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    r = rng.random(n) * cumulative[-1]
    drawn: np.ndarray = np.minimum(search_right(cumulative, r), len(cumulative) - 1)
    return drawn


def categorical(rng: np.random.Generator, probs: tuple[float, ...], n: int) -> np.ndarray:
    """Codes 0..k-1 drawn with the given probabilities."""
    cum = np.cumsum(np.asarray(probs, dtype=np.float64))
    codes: np.ndarray = np.minimum(search_right(cum / cum[-1], rng.random(n)), len(probs) - 1)
    return codes


def uniform_int(
    rng: np.random.Generator, low: np.ndarray | int, high: np.ndarray | int, n: int
) -> np.ndarray:
    """Integers in [low, high) (broadcast), as int64."""
    low = np.asarray(low, dtype=np.int64)
    high = np.asarray(high, dtype=np.int64)
    span = np.maximum(high - low, 1)
    values: np.ndarray = low + np.floor(rng.random(n) * span).astype(np.int64)
    return values
