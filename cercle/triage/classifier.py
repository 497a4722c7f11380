"""The text-and-signals model: hashed TF-IDF of words and character n-grams, plus a few named columns
(header signals, content cues, the sender's history), and a linear model over them.

A `LinearModel` is plain arrays (classes, coefficients, intercepts, IDF weights) that we save to and load
from `.npz` ourselves — never a pickle — so the artefact shipped in the package cannot run code. Training
goes through scikit-learn's `LogisticRegression` and `TfidfTransformer`; prediction is one sparse
matrix product.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from cercle.triage import hashing
from cercle.triage.cues import CUES, content_cues
from cercle.triage.features import MailDoc
from cercle.triage.header_signals import header_signals

# The five categories of the issue; the order is the column order of every model.
SERIOUS = "serious"
NETWORK = "network"
SOLICITATION = "solicitation"
NEWSLETTER = "newsletter"
SPAM = "spam"
CATEGORIES: tuple[str, ...] = (SERIOUS, NETWORK, SOLICITATION, NEWSLETTER, SPAM)
HUMAN = frozenset({SERIOUS, NETWORK})  # "needs a human"; the others are noise

SIGNAL_COLUMNS: tuple[str, ...] = (
    "list_unsubscribe",
    "list_id",
    "precedence",
    "auto_submitted",
    "bounce",
    "bulk_mailer",
    "campaign",
    "noreply",
    "role_sender",
    "html_only",
    "many_links",
    "hidden_recipients",
    "many_recipients",
    "in_thread",
)
CUE_COLUMNS: tuple[str, ...] = tuple(CUES)
HISTORY_COLUMNS: tuple[str, ...] = (
    "known",  # a correspondent: the leader wrote to them, a request kept before, a network contact
    "exchanges",  # log(1 + messages exchanged before this one), only when the exchange went both ways
    "leader_wrote",  # the leader wrote to them before
    "kept_before",
    "dismissed_before",  # earlier requests, all dismissed
    "first_message",  # a stranger: nothing known, or only messages of theirs nobody answered
    "reply_to_leader",  # answers a message the leader sent
    "strength",  # relationship strength in [0, 1], when the network knows it
)
NAMED_COLUMNS: tuple[str, ...] = (
    *(f"signal:{c}" for c in SIGNAL_COLUMNS),
    *(f"cue:{c}" for c in CUE_COLUMNS),
    *(f"history:{c}" for c in HISTORY_COLUMNS),
)
N_COLUMNS = hashing.N_FEATURES + len(NAMED_COLUMNS)
_NAMED_INDEX = {name: hashing.N_FEATURES + i for i, name in enumerate(NAMED_COLUMNS)}

# The sender's history cannot be learnt from public corpora (they have no "leader"), so the base model
# starts from these hand-set weights (log-odds per category, in CATEGORIES order); the hub's own model,
# trained on the second's decisions, corrects them (see docs/subsystems/triage.md).
HISTORY_PRIOR: dict[str, tuple[float, float, float, float, float]] = {
    "known": (0.5, 2.5, -1.5, -1.0, -3.0),
    "exchanges": (0.1, 0.6, -0.3, -0.2, -0.6),
    "leader_wrote": (0.5, 1.0, -1.0, -0.5, -2.0),
    "kept_before": (1.5, 1.0, -1.0, -1.0, -2.0),
    "dismissed_before": (-0.8, -0.8, 0.8, 0.8, 0.5),
    "first_message": (0.0, -1.5, 0.3, 0.0, 0.3),
    "reply_to_leader": (1.0, 1.5, -1.0, -2.0, -3.0),
    "strength": (0.5, 2.0, -1.0, -1.0, -2.0),
}

CHAR_WINDOW = 1000  # character n-grams are read from the subject and this much of the body
_EXPLAINED_WORD = re.compile(r"[^\W\d_]{4,}")  # words worth naming in an explanation


@dataclass(frozen=True)
class History:
    """What the hub knew about the sender when the message arrived (all zero in the corpora).

    A *known correspondent* is someone the leader (or the hub) has actually been in touch with: the
    leader wrote to them (sent mail, a LinkedIn message or invitation), a request of theirs was kept
    before, this message answers one the leader sent, or they are a contact of the network (a
    LinkedIn connection). Messages they sent that nobody answered never make them known: anyone can
    write three times.
    """

    exchanges: int = 0  # messages between the leader and them before this one, both directions
    leader_wrote: int = 0  # of those, the ones the leader (or the hub) sent them
    kept_before: int = 0
    dismissed_before: int = 0
    reply_to_leader: bool = False
    strength: float | None = None
    known_contact: bool = False  # the network says so (e.g. a LinkedIn connection)
    available: bool = True  # False in the corpora: no history, no "first message" either

    @property
    def known(self) -> bool:
        return bool(self.known_contact or self.leader_wrote or self.kept_before or self.reply_to_leader)

    @property
    def two_way(self) -> int:
        """Messages exchanged, when the exchange went both ways (0 when only they ever wrote)."""
        return self.exchanges if self.leader_wrote else 0

    @property
    def unanswered(self) -> int:
        """Messages they sent before that nobody ever answered (0 once the leader wrote to them)."""
        return 0 if self.leader_wrote else self.exchanges

    def as_dict(self) -> dict[str, object]:
        return {
            "exchanges": self.exchanges,
            "leader_wrote": self.leader_wrote,
            "kept_before": self.kept_before,
            "dismissed_before": self.dismissed_before,
            "reply_to_leader": self.reply_to_leader,
            "strength": self.strength,
            "known_contact": self.known_contact,
            "available": self.available,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object] | None) -> History:
        if not data:
            return cls(available=False)
        strength = data.get("strength")
        return cls(
            exchanges=int(data.get("exchanges") or 0),  # type: ignore[call-overload]
            leader_wrote=int(data.get("leader_wrote") or 0),  # type: ignore[call-overload]
            kept_before=int(data.get("kept_before") or 0),  # type: ignore[call-overload]
            dismissed_before=int(data.get("dismissed_before") or 0),  # type: ignore[call-overload]
            reply_to_leader=bool(data.get("reply_to_leader")),
            strength=float(strength) if isinstance(strength, int | float) else None,
            known_contact=bool(data.get("known_contact")),
            available=bool(data.get("available", True)),
        )

    def columns(self) -> dict[str, float]:
        if not self.available:
            return {}
        values = {
            "known": 1.0 if self.known else 0.0,
            "exchanges": math.log1p(self.two_way),
            "leader_wrote": 1.0 if self.leader_wrote else 0.0,
            "kept_before": 1.0 if self.kept_before else 0.0,
            "dismissed_before": 1.0 if self.dismissed_before and not self.kept_before else 0.0,
            "first_message": 0.0 if (self.known or self.dismissed_before) else 1.0,
            "reply_to_leader": 1.0 if self.reply_to_leader else 0.0,
            "strength": float(self.strength or 0.0),
        }
        return {k: v for k, v in values.items() if v}


@dataclass
class Encoded:
    """One message, ready for the model: hashed counts and the named columns that are set."""

    indices: np.ndarray
    counts: np.ndarray
    named: dict[str, float] = field(default_factory=dict)
    words: tuple[str, ...] = ()  # a few distinct words, kept to explain a suggestion
    meta: dict[str, object] = field(default_factory=dict)  # what explanations quote (signal details…)
    via: str = ""  # "linkedin": a person's message relayed by a LinkedIn notification (MailDoc.via)


def encode(doc: MailDoc, history: History | None = None, *, keep_words: bool = False) -> Encoded:
    subject = doc.subject.lower()
    body = doc.text.lower()
    indices = hashing.text_indices(subject, body, CHAR_WINDOW, doc.header_text(), doc.markup_tags)
    cols, counts = hashing.unique_counts(indices)
    named: dict[str, float] = {}
    for signal in header_signals(doc):
        if signal.code in SIGNAL_COLUMNS:
            named[f"signal:{signal.code}"] = 1.0
    for cue in content_cues(doc):
        named[f"cue:{cue}"] = 1.0
    if history is not None:
        for key, value in history.columns().items():
            named[f"history:{key}"] = value
    words: tuple[str, ...] = ()
    if keep_words:
        seen = dict.fromkeys(_EXPLAINED_WORD.findall(f"{subject} {body[:3000]}"))
        words = tuple(seen)[:400]
    return Encoded(cols, counts, named, words, via=doc.via)


def counts_matrix(rows: Sequence[Encoded]) -> sp.csr_matrix:
    return hashing.counts_matrix([(r.indices, r.counts) for r in rows])


def named_matrix(rows: Sequence[Encoded]) -> sp.csr_matrix:
    data: list[float] = []
    cols: list[int] = []
    indptr = [0]
    for row in rows:
        for name, value in row.named.items():
            cols.append(_NAMED_INDEX[name] - hashing.N_FEATURES)
            data.append(value)
        indptr.append(len(cols))
    return sp.csr_matrix(
        (np.array(data, dtype=np.float32), np.array(cols, dtype=np.int32), np.array(indptr, dtype=np.int64)),
        shape=(len(rows), len(NAMED_COLUMNS)),
    )


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF (1 + log tf) times IDF, each row L2-normalised — as scikit-learn's TfidfTransformer
    with `sublinear_tf=True`, applied with IDF weights we store ourselves."""
    out = counts.astype(np.float32, copy=True)
    np.log(out.data, out=out.data)
    out.data += 1.0
    out.data *= idf[out.indices]
    lengths = np.diff(out.indptr)
    squares = np.add.reduceat(out.data * out.data, out.indptr[:-1]) if out.nnz else np.zeros(0)
    squares = np.where(lengths > 0, squares, 1.0) if out.nnz else np.ones(out.shape[0])
    norms = np.sqrt(squares).astype(np.float32)
    norms[norms == 0] = 1.0
    out.data /= np.repeat(norms, lengths)
    return out


def fit_idf(counts: sp.csr_matrix) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfTransformer

    transformer = TfidfTransformer(sublinear_tf=True, smooth_idf=True).fit(counts)
    return transformer.idf_.astype(np.float32)


def design(rows: Sequence[Encoded], idf: np.ndarray) -> sp.csr_matrix:
    return sp.hstack([tfidf(counts_matrix(rows), idf), named_matrix(rows)], format="csr")


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


@dataclass
class LinearModel:
    """A multinomial linear model over `design()` rows: P(class) = softmax(X·Wᵀ + b)."""

    classes: tuple[str, ...]
    coef: sp.csr_matrix  # (n_classes, N_COLUMNS)
    intercept: np.ndarray  # (n_classes,)
    idf: np.ndarray  # (N_FEATURES,)
    meta: dict[str, str] = field(default_factory=dict)
    _dense_t: np.ndarray | None = field(default=None, repr=False, compare=False)

    def scores(self, X: sp.csr_matrix) -> np.ndarray:
        if self._dense_t is None or self._dense_t.shape[0] != self.coef.shape[1]:
            # X is sparse and wide: a product with the dense transposed weights is the fastest.
            self._dense_t = np.ascontiguousarray(self.coef.T.toarray(), dtype=np.float32)
        return np.asarray(X @ self._dense_t, dtype=np.float64) + self.intercept

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        return softmax(self.scores(X))

    def contributions(self, row: Encoded, target: str, n_columns: int | None = None) -> dict[int, float]:
        """Per-column push of one message toward `target` against the other classes (log-odds).

        `n_columns` limits the model to the first columns (a stacked hub model's extra inputs are
        not columns of the message)."""
        xr = design([row], self.idf).getrow(0)
        coef = self.coef[:, :n_columns] if n_columns else self.coef
        weights = coef[:, xr.indices].toarray()
        k = self.classes.index(target)
        others = [i for i in range(len(self.classes)) if i != k]
        diff = weights[k] - (weights[others].mean(axis=0) if others else 0.0)
        return {int(c): float(v * d) for c, v, d in zip(xr.indices, xr.data, diff, strict=True)}

    # --- Storage: arrays only (np.load with allow_pickle=False) ------------------------------

    def to_bytes(self) -> bytes:
        """An .npz (a zip of .npy arrays) with fixed timestamps, so the same model gives the same bytes."""
        coef = self.coef.tocsr()
        arrays = {
            "classes": np.array(self.classes),
            "coef_data": coef.data.astype(np.float16),
            "coef_indices": coef.indices.astype(np.int32),
            "coef_indptr": coef.indptr.astype(np.int64),
            "coef_shape": np.array(coef.shape, dtype=np.int64),
            "intercept": self.intercept.astype(np.float32),
            "idf": self.idf.astype(np.float16),
            "meta_keys": np.array(list(self.meta.keys()), dtype=str),
            "meta_values": np.array(list(self.meta.values()), dtype=str),
            "n_features": np.array([hashing.N_FEATURES]),
            "named": np.array(NAMED_COLUMNS),
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                data = io.BytesIO()
                np.lib.format.write_array(data, np.ascontiguousarray(array), allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data.getvalue())
        return buffer.getvalue()

    def pruned(self, keep: int) -> LinearModel:
        """The same model with only the `keep` largest weights (the shipped artefact stays small)."""
        coef = self.coef.tocsr().astype(np.float32)
        text = coef.indices < hashing.N_FEATURES  # the named columns are always kept
        if text.sum() > keep:
            magnitudes = np.abs(coef.data[text])
            threshold = np.partition(magnitudes, len(magnitudes) - keep)[len(magnitudes) - keep]
            coef.data[text & (np.abs(coef.data) < threshold)] = 0.0
            coef.eliminate_zeros()
        return LinearModel(self.classes, coef, self.intercept, self.idf, dict(self.meta))

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            if int(arrays["n_features"][0]) != hashing.N_FEATURES:
                raise ValueError("model built for another feature size")
            stored_named = tuple(str(x) for x in arrays["named"])
            coef = sp.csr_matrix(
                (
                    arrays["coef_data"].astype(np.float32),
                    arrays["coef_indices"],
                    arrays["coef_indptr"],
                ),
                shape=tuple(int(x) for x in arrays["coef_shape"]),
            )
            if stored_named != NAMED_COLUMNS:
                coef = _remap_named(coef, stored_named)
            return cls(
                classes=tuple(str(x) for x in arrays["classes"]),
                coef=coef,
                intercept=arrays["intercept"].astype(np.float64),
                idf=arrays["idf"].astype(np.float32),
                meta=dict(
                    zip(
                        (str(k) for k in arrays["meta_keys"]),
                        (str(v) for v in arrays["meta_values"]),
                        strict=True,
                    )
                ),
            )

    def save(self, path: Path) -> None:
        path.write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        return cls.from_bytes(path.read_bytes())


def _remap_named(coef: sp.csr_matrix, stored: tuple[str, ...]) -> sp.csr_matrix:
    """A model saved before a named column was added or removed: keep the columns both versions know."""
    dense_text = coef[:, : hashing.N_FEATURES]
    old = coef[:, hashing.N_FEATURES :].toarray()
    new = np.zeros((coef.shape[0], len(NAMED_COLUMNS)), dtype=np.float32)
    for i, name in enumerate(stored):
        if name in _NAMED_INDEX:
            new[:, _NAMED_INDEX[name] - hashing.N_FEATURES] = old[:, i]
    return sp.hstack([dense_text, sp.csr_matrix(new)], format="csr")


def train(
    rows: Sequence[Encoded],
    labels: Sequence[str],
    *,
    classes: Sequence[str] | None = None,
    idf: np.ndarray | None = None,
    C: float = 300.0,
    sample_weight: np.ndarray | None = None,
    history_prior: bool = True,
    prune: float = 0.0,
) -> LinearModel:
    """Fit IDF (unless given) and a balanced multinomial logistic regression; add the history prior."""
    from sklearn.linear_model import LogisticRegression

    y = np.array(labels)
    present = [c for c in (classes or CATEGORIES) if c in set(labels)]
    if len(present) < 2:
        raise ValueError("training needs examples of at least two categories")
    counts = counts_matrix(rows)
    if idf is None:
        idf = fit_idf(counts)
    named = named_matrix(rows)
    if history_prior:
        # The history columns get hand-set weights below; fitting them too would let the other
        # columns lean on weights that are then replaced.
        first = len(SIGNAL_COLUMNS) + len(CUE_COLUMNS)
        named = named.tolil()
        named[:, first:] = 0
        named = named.tocsr()
        named.eliminate_zeros()
    X = sp.hstack([tfidf(counts, idf), named], format="csr")
    if len(present) == 2:
        model = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=5000)
    else:
        model = LogisticRegression(C=C, class_weight="balanced", solver="lbfgs", max_iter=3000)
    model.fit(X, y, sample_weight=sample_weight)
    learnt = list(model.classes_)
    coef = np.asarray(model.coef_, dtype=np.float32)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if len(learnt) == 2 and coef.shape[0] == 1:
        # Binary: softmax over (0, w) equals the sigmoid of w.
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.array([0.0, intercept[0]])
    # scikit-learn sorts the classes; we keep the caller's order (CATEGORIES for the five categories).
    order = [learnt.index(c) for c in present]
    coef, intercept, learnt = coef[order], intercept[order], present
    if prune:
        coef[np.abs(coef) < prune] = 0.0
    if history_prior and set(learnt) <= set(CATEGORIES):
        for name, weights in HISTORY_PRIOR.items():
            col = _NAMED_INDEX[f"history:{name}"]
            for i, cls in enumerate(learnt):
                coef[i, col] = weights[CATEGORIES.index(cls)]
    return LinearModel(
        classes=tuple(str(c) for c in learnt),
        coef=sp.csr_matrix(coef),
        intercept=intercept,
        idf=idf.astype(np.float32),
    )
