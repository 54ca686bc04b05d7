"""Near-duplicate detection of syndicated copies: MinHash over word shingles, LSH band keys kept in the store.

Exact copies need nothing here: an article's id is the hash of its canonical text. Near copies (the same
agency story with another headline, byline or trailer) are found by estimating the Jaccard similarity of the
texts' word 5-shingles with a MinHash signature (datasketch). The signature is cut into ``BANDS`` bands of
``ROWS`` values; two texts share at least one band key with high probability when their similarity is above
``THRESHOLD``. The store keeps each original article's band keys in an indexed table, so finding candidates
is one indexed look-up per band, however large the store, with no in-memory index; each candidate is then
confirmed on its stored signature.

Changing ``NUM_PERM``, ``SEED``, ``SCHEME``, ``SHINGLE_WORDS`` or the band layout makes stored signatures
incomparable: bump ``SIGNATURE_SCHEME`` then (signatures of another scheme are ignored, never mis-compared).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
SHINGLE_WORDS = 5
THRESHOLD = 0.8
# datasketch.lsh._optimal_param(0.8, 128, 0.5, 0.5) == (9, 13): the band layout minimising the weighted
# false-positive and false-negative probabilities at a 0.8 Jaccard threshold.
BANDS = 9
ROWS = 13
SIGNATURE_SCHEME = f"minhash-{SCHEME}-p{NUM_PERM}-s{SEED}-w{SHINGLE_WORDS}"
# Below this many shingles a few changed words swing the similarity too much to call a text a copy.
MIN_SHINGLES = 20
_WORD = re.compile(r"\w+")
_DTYPE = np.dtype("<u4")


@dataclass(frozen=True, slots=True)
class Signature:
    values: bytes  # NUM_PERM little-endian uint32 values

    @property
    def band_keys(self) -> tuple[int, ...]:
        return band_keys(self)


@dataclass(frozen=True, slots=True)
class NearMatch:
    article_id: str
    similarity: float  # estimated Jaccard similarity of the word shingles


def shingles(text: str, width: int = SHINGLE_WORDS) -> set[str]:
    """Lower-cased word ``width``-grams; case and punctuation changes between copies do not count."""
    words = _WORD.findall(text.lower())
    if len(words) < width:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + width]) for i in range(len(words) - width + 1)}


@lru_cache(maxsize=1)
def _permutations() -> np.ndarray:
    # Generated once per process (the same seed gives the same permutations everywhere).
    permutations: np.ndarray = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
    return permutations


def signature(text: str) -> Signature | None:
    """The MinHash signature of ``text``, or None when it is too short to compare reliably."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=_permutations())
    minhash.update_batch([gram.encode("utf-8") for gram in grams])
    return Signature(np.asarray(minhash.hashvalues, dtype=_DTYPE).tobytes())


def band_keys(sig: Signature) -> tuple[int, ...]:
    """One signed 64-bit key per band (SQLite INTEGER); the band number is hashed in, so keys never collide
    across bands."""
    keys = []
    for band in range(BANDS):
        chunk = sig.values[band * ROWS * 4 : (band + 1) * ROWS * 4]
        digest = hashlib.blake2b(band.to_bytes(2, "little") + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return tuple(keys)


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity: the share of MinHash values the two signatures agree on."""
    left = np.frombuffer(a.values, dtype=_DTYPE)
    right = np.frombuffer(b.values, dtype=_DTYPE)
    if left.shape != right.shape:
        return 0.0
    return float(np.count_nonzero(left == right)) / len(left)


def best_match(sig: Signature, candidates: list[tuple[str, bytes]]) -> NearMatch | None:
    """The most similar candidate at or above THRESHOLD; ties go to the first stored (candidates come in
    storage order)."""
    best: NearMatch | None = None
    for article_id, values in candidates:
        score = similarity(sig, Signature(values))
        if score >= THRESHOLD and (best is None or score > best.similarity):
            best = NearMatch(article_id, score)
    return best
