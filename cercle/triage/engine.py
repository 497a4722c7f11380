"""The suggestion engine: the shipped base model, the hub's own model stacked on it, and explanations.

- The **base model** (`model/base_model.npz`) is a `LinearModel` over the five categories, built by
  `cercle triage_build_model` from public corpora and the labelled FR/EN set (see docs). When it is
  missing or unreadable, a hand-set model over the header, content and history columns takes its place,
  so a fresh install always suggests something.
- The **hub model** is trained on the second's decisions (`services.model_retrain`). It reads the same
  columns plus the base model's log-probabilities, so with few decisions it mostly learns how far to
  trust the base model, and with many it learns the hub's own words and senders. It has two parts:
  `keep` (needs a human vs noise: every decision teaches it) sets how the probability is shared between
  the two groups of categories, and `noise` (among the dismiss reasons the second used, when there are
  two or more) re-shares the noise. Within a group, the base model's proportions stand for the
  categories the second has not taught yet (their decisions say "keep", not "network" or "serious").
- The **decision** is not the likeliest category but the one whose expected cost is lowest
  (`DECISION_COSTS`): calling a person's request spam is the worst error the filter can make, sending
  it to any noise category is bad, letting a pitch through costs the second a glance. So "needs a
  human" wins when it is reasonably likely, and spam needs strong evidence. A person's message
  relayed by LinkedIn is never a newsletter.
"""

from __future__ import annotations

import io
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from cercle.triage import classifier as K
from cercle.triage import hashing
from cercle.triage.cues import content_cues
from cercle.triage.features import MailDoc
from cercle.triage.header_signals import header_signals
from cercle.triage.reasons import Reason, reason

BASE_MODEL_PATH = Path(__file__).resolve().parent / "model" / "base_model.npz"
_EPS = 1e-6

# Hand-set weights (log-odds, CATEGORIES order) used when no base model is available.
FALLBACK_WEIGHTS: dict[str, tuple[float, float, float, float, float]] = {
    "signal:list_unsubscribe": (-1.0, -1.0, 0.3, 2.0, 0.3),
    "signal:list_id": (-1.0, -0.5, 0.0, 2.0, 0.0),
    "signal:precedence": (-1.0, -1.0, 0.0, 2.0, 0.5),
    "signal:auto_submitted": (-1.5, -1.0, -1.0, 3.0, 0.0),
    "signal:bounce": (-2.0, -2.0, -2.0, 3.0, 0.0),
    "signal:bulk_mailer": (-1.0, -1.0, 1.0, 2.0, 0.5),
    "signal:campaign": (-0.5, -1.0, 0.5, 1.5, 0.5),
    "signal:noreply": (-1.5, -1.5, -0.5, 2.5, 0.0),
    "signal:role_sender": (-0.3, -0.5, 0.5, 1.0, 0.0),
    "signal:html_only": (-0.5, -0.5, 0.3, 0.5, 0.8),
    "signal:many_links": (-0.5, -0.5, 0.2, 0.8, 0.5),
    "signal:hidden_recipients": (-0.5, -0.5, 0.3, 0.5, 1.2),
    "signal:many_recipients": (-0.3, 0.0, 0.0, 0.5, 0.3),
    "signal:in_thread": (0.5, 1.0, -0.5, -0.5, -0.5),
    "cue:ask": (1.5, 0.3, 0.0, -0.5, -0.5),
    "cue:meeting": (0.8, 0.5, 0.5, -0.5, -0.5),
    "cue:budget": (1.0, 0.0, 0.3, -0.2, 0.3),
    "cue:deadline": (0.8, 0.2, 0.0, 0.0, 0.3),
    "cue:pitch": (-0.5, -0.5, 2.0, 0.3, 0.5),
    "cue:unsubscribe": (-1.0, -1.0, 0.5, 2.0, 0.8),
    "cue:spammy": (-1.0, -1.0, 0.0, 0.3, 2.5),
}


# The cost of suggesting a category (column) when the message is of another (row), CATEGORIES order:
# serious, network, solicitation, newsletter, spam. A person's request or mail sent to the noise costs
# 3 (it may be dismissed unread), to spam 10 (dismissing as spam also marks the sender as spam: they
# drop out of the network); noise kept for a human costs 1 (a glance). Within a group mistakes are
# cheap (0.3), and so is spam filed as another kind of noise, or the reverse: it is dismissed either
# way. Set from these consequences, then checked by 5-fold cross-validation on the labelled training
# parts (needs a human F1 0.965 with these costs, 0.941 with the likeliest category, which also called
# two requests spam; docs/subsystems/triage.md) — never fitted on a test part.
DECISION_COSTS = np.array(
    [
        # serious network solicitation newsletter spam   ← suggested
        [0.0, 0.3, 3.0, 3.0, 10.0],  # serious
        [0.3, 0.0, 3.0, 3.0, 10.0],  # network
        [1.0, 1.0, 0.0, 0.3, 0.3],  # solicitation
        [1.0, 1.0, 0.3, 0.0, 0.3],  # newsletter
        [1.0, 1.0, 0.3, 0.3, 0.0],  # spam
    ]
)
_NEWSLETTER = K.CATEGORIES.index(K.NEWSLETTER)

# Header signals that say a message was not written to the leader by one person.
BULK_SIGNALS = frozenset(
    {
        "list_unsubscribe",
        "list_id",
        "precedence",
        "auto_submitted",
        "bounce",
        "bulk_mailer",
        "campaign",
        "noreply",
        "hidden_recipients",
        "many_recipients",
    }
)


def reads_as_person(signal_codes: Any, via: str = "") -> bool:
    """Whether a message reads as one person writing to the leader: relayed from a person (a LinkedIn
    message), or nothing in its headers says bulk, list, campaign, automatic or no-reply."""
    return bool(via) or not (set(signal_codes) & BULK_SIGNALS)


def decide(probabilities: np.ndarray, rows: list[K.Encoded] | None = None) -> np.ndarray:
    """The suggested category of each row (indices into CATEGORIES): the lowest expected cost."""
    expected = np.asarray(probabilities, dtype=np.float64) @ DECISION_COSTS
    for i, row in enumerate(rows or []):
        if row.via:  # a person's message relayed by LinkedIn: never a newsletter
            expected[i, _NEWSLETTER] = np.inf
    return np.argmin(expected, axis=1)


def fallback_model() -> K.LinearModel:
    coef = np.zeros((len(K.CATEGORIES), K.N_COLUMNS), dtype=np.float32)
    named = {name: hashing.N_FEATURES + i for i, name in enumerate(K.NAMED_COLUMNS)}
    for name, weights in FALLBACK_WEIGHTS.items():
        coef[:, named[name]] = weights
    for name, weights in K.HISTORY_PRIOR.items():
        coef[:, named[f"history:{name}"]] = weights
    return K.LinearModel(
        classes=K.CATEGORIES,
        coef=sp.csr_matrix(coef),
        intercept=np.array([0.5, 0.0, 0.0, 0.0, -0.5]),
        idf=np.ones(hashing.N_FEATURES, dtype=np.float32),
        meta={"version": "signals-only"},
    )


def load_base(path: Path = BASE_MODEL_PATH) -> K.LinearModel:
    try:
        model = K.LinearModel.load(path)
    except (OSError, ValueError, KeyError):
        return fallback_model()
    if tuple(model.classes) != K.CATEGORIES:
        return fallback_model()
    return model


def stack_columns(X: sp.csr_matrix, base_proba: np.ndarray) -> sp.csr_matrix:
    """The hub model's input: the design row and the base model's log-probabilities."""
    return sp.hstack([X, sp.csr_matrix(np.log(base_proba + _EPS))], format="csr")


@dataclass
class Prediction:
    probabilities: dict[str, float]
    category: str
    confidence: float
    score: float  # P(serious)
    human: float  # P(serious) + P(network)
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class Engine:
    base: K.LinearModel
    keep: K.LinearModel | None = None  # classes ("noise", "human")
    noise: K.LinearModel | None = None  # classes: the noise categories the second used

    @property
    def version(self) -> str:
        base = self.base.meta.get("version", "base")
        return f"{base}+{self.keep.meta.get('version', 'hub')}" if self.keep else base

    def proba(self, rows: list[K.Encoded]) -> np.ndarray:
        """(n, 5) probabilities in CATEGORIES order."""
        X = K.design(rows, self.base.idf)
        base = self.base.predict_proba(X)
        if self.keep is None:
            return base
        Z = stack_columns(X, base)
        human_cols = [K.CATEGORIES.index(c) for c in K.CATEGORIES if c in K.HUMAN]
        noise_cols = [K.CATEGORIES.index(c) for c in K.CATEGORIES if c not in K.HUMAN]
        p_human = self.keep.predict_proba(Z)[:, self.keep.classes.index("human")][:, None]
        within_human = base[:, human_cols] / np.maximum(base[:, human_cols].sum(axis=1, keepdims=True), _EPS)
        within_noise = base[:, noise_cols] / np.maximum(base[:, noise_cols].sum(axis=1, keepdims=True), _EPS)
        if self.noise is not None:
            seen = [noise_cols.index(K.CATEGORIES.index(c)) for c in self.noise.classes]
            mass = within_noise[:, seen].sum(axis=1, keepdims=True)
            within_noise[:, seen] = self.noise.predict_proba(Z) * mass
        out = np.empty_like(base)
        out[:, human_cols] = within_human * p_human
        out[:, noise_cols] = within_noise * (1.0 - p_human)
        return out

    def categories(self, rows: list[K.Encoded]) -> list[str]:
        """The suggested category of each row (the decision, not the likeliest category)."""
        return [K.CATEGORIES[k] for k in decide(self.proba(rows), rows)]

    def predict(self, rows: list[K.Encoded], *, explain: bool = True) -> list[Prediction]:
        probabilities = self.proba(rows)
        out: list[Prediction] = []
        for row, p, k in zip(rows, probabilities, decide(probabilities, rows), strict=True):
            category = K.CATEGORIES[k]
            prediction = Prediction(
                probabilities={c: round(float(v), 4) for c, v in zip(K.CATEGORIES, p, strict=True)},
                category=category,
                confidence=float(p[k]),
                score=float(p[0]),
                human=float(p[0] + p[1]),
            )
            if explain:
                prediction.reasons = self.explain(row, category)
            out.append(prediction)
        return out

    def _pushes(self, row: K.Encoded, category: str) -> dict[int, float]:
        pushes = self.base.contributions(row, category)
        hub = [(self.keep, "human" if category in K.HUMAN else "noise")]
        if self.noise is not None and category in self.noise.classes:
            hub.append((self.noise, category))
        for model, target in hub:
            if model is None:
                continue
            for col, value in model.contributions(row, target, n_columns=K.N_COLUMNS).items():
                pushes[col] = pushes.get(col, 0.0) + value
        return pushes

    def explain(self, row: K.Encoded, category: str) -> list[Reason]:
        """Plain-word reasons: facts about the sender, header evidence, cues, and telling words."""
        pushes = self._pushes(row, category)
        out: list[Reason] = []
        history = {k.removeprefix("history:"): v for k, v in row.named.items() if k.startswith("history:")}
        meta: dict[str, Any] = row.meta
        if meta.get("via") == "linkedin":
            out.append(reason("linkedin_message", detail=str(meta.get("name") or "")))
        if history.get("reply_to_leader"):
            out.append(reason("reply_to_leader"))
        # Counts as the sender's history gives them: "exchanged" only when the leader wrote too.
        exchanges = int(meta.get("exchanges") or 0)
        leader_wrote = bool(meta.get("leader_wrote"))
        if exchanges and leader_wrote:
            out.append(reason("exchanges", n=exchanges))
        elif meta.get("known_contact"):
            out.append(reason("known_contact"))
        elif leader_wrote:
            out.append(reason("leader_wrote"))
        if exchanges and not leader_wrote:
            out.append(reason("unanswered", n=exchanges))
        if meta.get("kept_before"):
            out.append(reason("kept_before", n=int(meta["kept_before"])))
        if history.get("dismissed_before"):
            out.append(reason("dismissed_before", n=int(meta.get("dismissed_before", 1))))
        if history.get("first_message") and not exchanges:
            out.append(reason("first_message"))
        if history.get("strength", 0) >= 0.5:
            out.append(reason("strength", n=round(history["strength"] * 100)))
        for signal in meta.get("signals", []):
            code, detail = signal
            if code == "in_thread" and history.get("reply_to_leader"):
                continue
            out.append(reason(code, detail=detail) if detail else reason(code))
        present = {c.removeprefix("cue:") for c in row.named if c.startswith("cue:")}
        human = category in K.HUMAN
        wanted = ("ask", "meeting", "budget", "deadline") if human else ("pitch", "unsubscribe", "spammy")
        shown = [c for c in wanted if c in present]
        if "meeting" in shown and "ask" in shown:
            shown.remove("ask")  # "asks for a meeting" says both
        if shown:
            out.append(reason("cues", cues=shown))
        words = self._telling_words(row, pushes)
        if words:
            out.append(reason("words", words=words))
        return out[:7]

    def _telling_words(self, row: K.Encoded, pushes: dict[int, float], limit: int = 4) -> list[str]:
        """The message's words that pushed most toward the suggestion: each word's own feature (body and
        subject) plus the character n-grams that lie within it (most of the model's weight is there)."""
        words = [w for w in row.words if w not in _STOPWORDS]
        if not words:
            return []
        hashes = hashing.word_hashes(" ".join(words))
        if len(hashes) != len(words):
            return []
        body = ((hashes + hashing.SALT["word"]) * hashing._MIX) >> hashing._SHIFT
        subject = ((hashes + hashing.SALT["subject"]) * hashing._MIX) >> hashing._SHIFT
        score = np.array(
            [pushes.get(int(b), 0.0) + pushes.get(int(s), 0.0) for b, s in zip(body, subject, strict=True)]
        )
        joined = " " + " ".join(words) + " "
        word_starts = np.cumsum([0] + [len(w) + 1 for w in words[:-1]]) + 1
        word_ends = word_starts + np.array([len(w) for w in words])
        starts, lengths, indices = hashing.char_ngrams(joined)
        owner = np.searchsorted(word_starts, starts + 1, side="right") - 1
        inside = (owner >= 0) & (starts + lengths <= word_ends[np.clip(owner, 0, None)] + 1)
        for k, index in zip(owner[inside].tolist(), indices[inside].tolist(), strict=True):
            value = pushes.get(int(index))
            if value:
                score[k] += value
        order = np.argsort(-score)
        return [words[i] for i in order[:limit] if score[i] > 0.05]


# Function words weigh in the model (they carry style) but explain nothing to a person.
_STOPWORD_TEXT = """
    alors aussi autre avec avez avoir bien cela cette ceci comme dans depuis donc elle elles encore être
    fait faire leur leurs mais même mes nous notre nos ont par pour plus quand que quel quelle qui sans
    ses son sont sous sur tous tout toute très vos votre vous était sera seront leurs this that with
    your yours have from they their there what when which will would about into just more than them then
    these those been were here some such only also very much well hello dear regards thanks thank best
    bonjour merci cordialement madame monsieur
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


# --- The process-wide engine, reloaded when a new hub model is trained ------------------------

_lock = threading.Lock()
_cache: dict[str, Any] = {}


def base_model() -> K.LinearModel:
    with _lock:
        if "base" not in _cache:
            _cache["base"] = load_base()
        return _cache["base"]  # type: ignore[no-any-return]


def pack_hub(keep: K.LinearModel, noise: K.LinearModel | None) -> bytes:
    """The hub's models in one blob (a zip of our own .npz files, fixed timestamps)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, model in (("keep.npz", keep), ("noise.npz", noise)):
            if model is not None:
                archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), model.to_bytes())
    return buffer.getvalue()


def unpack_hub(data: bytes) -> tuple[K.LinearModel, K.LinearModel | None]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        keep = K.LinearModel.from_bytes(archive.read("keep.npz"))
        noise = K.LinearModel.from_bytes(archive.read("noise.npz")) if "noise.npz" in names else None
    return keep, noise


def engine_for(hub_id: str | None, loader: Any = None) -> Engine:
    """The engine with the given hub model (loaded once per process by `loader(hub_id) -> bytes`)."""
    base = base_model()
    if hub_id is None:
        return Engine(base=base)
    with _lock:
        cached = _cache.get("hub")
        if cached is not None and cached[0] == hub_id:
            return Engine(base=base, keep=cached[1], noise=cached[2])
    keep = noise = None
    data = loader(hub_id) if loader else None
    if data:
        try:
            keep, noise = unpack_hub(data)
        except (ValueError, KeyError, OSError, zipfile.BadZipFile):
            keep = noise = None
    with _lock:
        _cache["hub"] = (hub_id, keep, noise)
    return Engine(base=base, keep=keep, noise=noise)


def forget_cache() -> None:
    with _lock:
        _cache.clear()


# --- Fitting the hub model on the second's decisions --------------------------------------------

HUB_C = 3.0


def _fit_part(Z: Any, labels: list[str], classes: tuple[str, ...]) -> K.LinearModel:
    """A logistic regression over the stacked columns (see `stack_columns`), classes in the given order."""
    from sklearn.linear_model import LogisticRegression

    present = [c for c in classes if c in set(labels)]
    solver = "liblinear" if len(present) == 2 else "lbfgs"
    model = LogisticRegression(C=HUB_C, class_weight="balanced", solver=solver, max_iter=3000)
    model.fit(Z, np.array(labels))
    learnt = [str(c) for c in model.classes_]
    coef = np.asarray(model.coef_, dtype=np.float32)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if coef.shape[0] == 1:
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.array([0.0, intercept[0]])
    order = [learnt.index(c) for c in present]
    return K.LinearModel(
        classes=tuple(present),
        coef=sp.csr_matrix(coef[order]),
        intercept=intercept[order],
        idf=base_model().idf,
    )


def fit_hub(Z: Any, labels: list[str]) -> Engine:
    """The engine with a hub model learnt from stacked columns `Z` and the decisions' categories: its
    `keep` part from every decision, its `noise` part when two kinds of noise or more were taught."""
    keep = _fit_part(Z, ["human" if label in K.HUMAN else "noise" for label in labels], ("noise", "human"))
    noise_rows = [i for i, label in enumerate(labels) if label not in K.HUMAN]
    noise_labels = [labels[i] for i in noise_rows]
    noise = None
    if len(set(noise_labels)) >= 2:
        noise = _fit_part(Z[noise_rows], noise_labels, tuple(c for c in K.CATEGORIES if c not in K.HUMAN))
    return Engine(base=base_model(), keep=keep, noise=noise)


# --- Encoding for a suggestion --------------------------------------------------------------------


def encode_for_suggestion(doc: MailDoc, history: K.History | None) -> K.Encoded:
    """Encode a message and keep what the explanation needs (signals with details, history counts)."""
    row = K.encode(doc, history, keep_words=True)
    signals = [[s.code, s.detail] for s in header_signals(doc) if s.code in K.SIGNAL_COLUMNS]
    meta: dict[str, Any] = {
        "signals": signals,
        "cues": content_cues(doc),
        "person": reads_as_person((code for code, _detail in signals), doc.via),
    }
    if doc.via:
        meta.update(via=doc.via, name=doc.from_name)
    if history is not None:
        meta.update(history.as_dict())
    row.meta = meta
    return row
