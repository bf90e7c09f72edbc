"""Syndicated copies: the same wire story stored again under another dateline, headline or footer.

Each article gets a MinHash signature (datasketch, 128 permutations) of its word 3-shingles, and
42 locality-sensitive band keys (3 signature values each) that the store indexes. At ingest the
store looks up the articles sharing any band key (an index lookup, never a scan of the corpus),
and the best of them whose estimated Jaccard similarity reaches COPY_THRESHOLD is the original:
the new article's `duplicate_of` names the first stored copy of the story.

With 42 bands of 3, a pair with shingle Jaccard 0.5 becomes a candidate with probability 0.996,
one with Jaccard 0.05 with 0.005; candidates are then checked on the whole signature. Different
reports on one topic share few 3-shingles (Jaccard well under 0.2) and are not copies.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

NUM_PERM = 128
BANDS = 42
ROWS = 3
SHINGLE = 3
COPY_THRESHOLD = 0.5
SEED = 1
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Signature:
    """An article's MinHash values and the LSH band keys the store indexes them by."""

    values: np.ndarray  # NUM_PERM uint64
    keys: list[int]  # BANDS signed 64-bit integers

    def to_bytes(self) -> bytes:
        return self.values.astype("<u8").tobytes()


def shingles(text: str, k: int = SHINGLE) -> set[bytes]:
    """The distinct lower-cased word k-grams of a text (its words joined, if it has fewer)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < k:
        return {" ".join(words).encode()}
    return {" ".join(words[i : i + k]).encode() for i in range(len(words) - k + 1)}


def signature(text: str) -> Signature:
    """The MinHash signature and band keys of an article text."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch(list(shingles(text)))
    values = np.asarray(minhash.hashvalues, dtype=np.uint64)
    return Signature(values, band_keys(values))


def band_keys(values: np.ndarray) -> list[int]:
    """One signed 64-bit key per band: a hash of the band's number and its ROWS values."""
    raw = values.astype("<u8")
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(raw[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8, person=band.to_bytes(2, "little")).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def similarity(a: np.ndarray, b: bytes | np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures (the share of equal MinHash values)."""
    other = np.frombuffer(b, dtype="<u8") if isinstance(b, (bytes, bytearray, memoryview)) else b
    return float(np.mean(a == other))


def find_original(sig: Signature, candidates: list[tuple[str, str | None, bytes]]) -> str | None:
    """The id of the first stored copy of the story among `candidates` (article id, its
    duplicate_of, its signature) that sig is a near copy of; None when none is.

    The most similar candidate wins (ties: the order given, oldest first); a candidate that is
    itself a copy points to its original, so every copy names the same first one.
    """
    best: tuple[float, str] | None = None
    for article_id, duplicate_of, stored in candidates:
        score = similarity(sig.values, stored)
        if score >= COPY_THRESHOLD and (best is None or score > best[0]):
            best = (score, duplicate_of or article_id)
    return best[1] if best else None
