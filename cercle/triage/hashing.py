"""A fast, stable feature hasher for words, word bigrams and character n-grams, in numpy.

Why not scikit-learn's `HashingVectorizer`: its analyzers build one Python string per n-gram and hash
them one by one (~0.7 µs each, ~3,000 per message), which caps the triage at a few hundred messages
per second. Here the text becomes one array of code points and every n-gram hash is computed for all
positions at once with polynomial hashes modulo 2**64 (numpy's unsigned arithmetic wraps), so a
message costs a few dozen numpy operations whatever its length.

The hashes are stable across processes and machines (no Python `hash()`), so a model trained by the
build script indexes the same features at run time. Namespaces (subject words, body words, bigrams,
3-, 4- and 5-grams) are kept apart by adding a salt before the final mixing.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

BITS = 18
N_FEATURES = 1 << BITS
MAX_CHARS = 6000  # longer texts are cut before hashing (callers already cut them)

_MASK = (1 << 64) - 1
_P = 1_000_003  # odd, so it has an inverse modulo 2**64
_P_INV = pow(_P, -1, 1 << 64)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - BITS)
_BIGRAM = np.uint64(0xC2B2AE3D27D4EB4F)

SALT = {
    name: np.uint64((i + 1) * 0x632BE59BD9B4E019 & _MASK)
    for i, name in enumerate(("word", "subject", "bigram", "c3", "c4", "c5", "header", "markup"))
}


def _powers(base: int, n: int) -> np.ndarray:
    out = np.empty(n, dtype=np.uint64)
    value = 1
    for i in range(n):
        out[i] = value
        value = (value * base) & _MASK
    return out


_POW = _powers(_P, MAX_CHARS + 2)
_POW_INV = _powers(_P_INV, MAX_CHARS + 2)
_P2 = np.uint64(_P * _P & _MASK)
_PU = np.uint64(_P)


def _word_table() -> np.ndarray:
    # Letters and digits of the first 0x3000 code points are word characters; above that (CJK…) too.
    table = np.zeros(0x3000, dtype=bool)
    for code in range(0x3000):
        table[code] = chr(code).isalnum()
    return table


_WORD_CHAR = _word_table()


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text[:MAX_CHARS].encode("utf-32-le"), dtype=np.uint32)


def _index(hashes: np.ndarray, salt: np.uint64) -> np.ndarray:
    return ((hashes + salt) * _MIX) >> _SHIFT


def _word_spans(codes32: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    inside = np.ones(len(codes32) + 2, dtype=bool)
    inside[0] = inside[-1] = False
    low = codes32 < 0x3000
    body = inside[1:-1]
    body[low] = _WORD_CHAR[codes32[low]]
    starts = np.flatnonzero(inside[1:] & ~inside[:-1])
    ends = np.flatnonzero(~inside[1:] & inside[:-1])  # exclusive
    return starts, ends


def _span_hashes(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    # hash(l..r-1) = sum c[i] * P**(r-1-i) = (S[r] - S[l]) * P**(r-1), S = prefix sums of c[i] * P**-i.
    n = len(codes)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(codes * _POW_INV[:n], out=prefix[1:])
    return (prefix[ends] - prefix[starts]) * _POW[ends - 1]


def word_hashes(text: str) -> np.ndarray:
    """One hash per word (maximal run of letters and digits) of an already lower-cased text."""
    codes32 = _codes(text)
    starts, ends = _word_spans(codes32)
    if not len(starts):
        return np.empty(0, dtype=np.uint64)
    return _span_hashes(codes32.astype(np.uint64), starts, ends)


def text_indices(
    subject: str, body: str, char_window: int, header_text: str = "", markup: str = ""
) -> np.ndarray:
    """Feature indices (with repeats: counts) of one message, all texts already lower-cased.

    Subject words, body words, body bigrams and character 3/4/5-grams of the subject and the start of
    the body (one pass over one code-point array); words of a few headers (sender, mailer, charset)
    and the names of the HTML tags, each in their own namespace.
    """
    text = f"{subject}\n{body}"
    codes32 = _codes(text)
    codes = codes32.astype(np.uint64)
    split = len(subject)
    starts, ends = _word_spans(codes32)
    parts: list[np.ndarray] = []
    if len(starts):
        hashes = _span_hashes(codes, starts, ends)
        in_subject = int(np.searchsorted(starts, split))
        parts.append(_index(hashes[:in_subject], SALT["subject"]))
        words = hashes[in_subject:]
        parts.append(_index(words, SALT["word"]))
        if len(words) > 1:
            parts.append(_index(words[:-1] * _BIGRAM + words[1:], SALT["bigram"]))
    c = codes[: split + 1 + char_window]
    if len(c) >= 5:
        c = np.where(c == 10, np.uint64(32), c)  # a line break reads as a space
        h3 = c[:-2] * _P2 + c[1:-1] * _PU + c[2:]
        h4 = h3[:-1] * _PU + c[3:]
        h5 = h4[:-1] * _PU + c[4:]
        parts += [_index(h3, SALT["c3"]), _index(h4, SALT["c4"]), _index(h5, SALT["c5"])]
    for extra, salt in ((header_text, SALT["header"]), (markup, SALT["markup"])):
        if extra:
            parts.append(_index(word_hashes(extra), salt))
    if not parts:
        return np.empty(0, dtype=np.uint64)
    return np.concatenate(parts)


def char_ngrams(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start positions, lengths, feature indices) of the 3-, 4- and 5-grams of a lower-cased text,
    hashed as in `text_indices` (used to explain which words weighed)."""
    c = _codes(text).astype(np.uint64)
    if len(c) < 5:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty.astype(np.uint64)
    h3 = c[:-2] * _P2 + c[1:-1] * _PU + c[2:]
    h4 = h3[:-1] * _PU + c[3:]
    h5 = h4[:-1] * _PU + c[4:]
    starts = np.concatenate([np.arange(len(h3)), np.arange(len(h4)), np.arange(len(h5))])
    lengths = np.concatenate([np.full(len(h3), 3), np.full(len(h4), 4), np.full(len(h5), 5)])
    indices = np.concatenate([_index(h3, SALT["c3"]), _index(h4, SALT["c4"]), _index(h5, SALT["c5"])])
    return starts, lengths, indices


def unique_counts(indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct indices, their counts): np.unique without its overhead, for small arrays."""
    if not len(indices):
        return indices.astype(np.int32), np.empty(0, dtype=np.float32)
    ordered = np.sort(indices)
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    positions = np.flatnonzero(first)
    counts = np.diff(np.append(positions, len(ordered)))
    return ordered[positions].astype(np.int32), counts.astype(np.float32)


def counts_matrix(rows: list[tuple[np.ndarray, np.ndarray]]) -> sp.csr_matrix:
    """Stack per-message (indices, counts) into a sparse count matrix."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(cols) for cols, _ in rows])
    if rows:
        cols = np.concatenate([c for c, _ in rows])
        data = np.concatenate([d for _, d in rows])
    else:
        cols, data = np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
    return sp.csr_matrix((data, cols, indptr), shape=(len(rows), N_FEATURES))


def word_index(word: str) -> int:
    """The feature index of one body word (for explanations)."""
    hashes = word_hashes(word.lower())
    return int(_index(hashes[:1], SALT["word"])[0]) if len(hashes) else -1


def subject_word_index(word: str) -> int:
    hashes = word_hashes(word.lower())
    return int(_index(hashes[:1], SALT["subject"])[0]) if len(hashes) else -1
