"""Labelled messages for training the base model and for `cercle eval triage`.

- The labelled FR/EN set shipped in `labelled/` (training parts train.txt and train_hard.txt, test
  parts test.txt and test_hard.txt, written for this project; see labelled/README.md): five categories, French and English, with the sender's history when the
  product would know it.
- The public corpora beside the repository (`../shared/corpus/`, overridable): SpamAssassin's ham and
  spam, and a sample of sisimai's bounces (automatic notifications). Absent on users' machines: the base
  model is built once by `cercle triage_build_model` and shipped.

Fixed splits are by a hash of the file name, so they do not depend on directory order or on the machine.
Raw messages are read by `cercle.mail.parse`, as intake reads them, once per example (`doc`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

from cercle.mail.parse import parse_message
from cercle.triage import classifier as K
from cercle.triage.features import MailDoc, doc_from_parsed
from cercle.triage.header_signals import header_signals

PACKAGE_DIR = Path(__file__).resolve().parent
LABELLED_DIR = PACKAGE_DIR / "labelled"
REPO_ROOT = PACKAGE_DIR.parent.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
TEST_SHARE = 0.3  # of each corpus directory, held out for evaluation
_PARIS = timezone(timedelta(hours=1))


@dataclass(frozen=True)
class Labelled:
    ident: str
    label: str  # one of classifier.CATEGORIES, or "ham"/"spam" for the ham-vs-spam corpora
    raw: bytes
    language: str = ""
    source: str = ""
    history: K.History | None = None  # None: unknown (corpora); History(): known to be a first message
    mail_doc: MailDoc | None = field(default=None, compare=False, repr=False)  # see `doc`


def doc(example: Labelled) -> MailDoc:
    """The example as the triage reads it: the raw bytes through the mail reader, once."""
    return example.mail_doc if example.mail_doc is not None else read_raw(example.raw)


def read_raw(raw: bytes) -> MailDoc:
    """Raw bytes as the triage reads them: through `cercle.mail.parse`, the one reader of mail."""
    return doc_from_parsed(parse_message(raw))


def is_test(name: str, share: float = TEST_SHARE) -> bool:
    """The fixed split: a file is in the test part when the first byte of sha1(name) is below share·256."""
    return hashlib.sha1(name.encode(), usedforsecurity=False).digest()[0] < int(share * 256)


# --- The labelled FR/EN set ------------------------------------------------------------------

_META = ("label", "lang", "source", "history")


def _history(spec: str) -> K.History:
    values: dict[str, int] = {}
    for item in spec.split():
        key, _sep, value = item.partition("=")
        values[key] = int(value or 1)
    return K.History(
        exchanges=values.get("exchanges", 0),
        leader_wrote=values.get("leader_wrote", 0),
        kept_before=values.get("kept_before", 0),
        dismissed_before=values.get("dismissed_before", 0),
        reply_to_leader=bool(values.get("reply_to_leader")),
        known_contact=bool(values.get("known_contact")),
    )


def build_raw(headers: list[tuple[str, str]], body: str, *, seed: str) -> bytes:
    """A real RFC 5322 message (encoded words, MIME headers) from a record of the labelled set."""
    msg = EmailMessage(policy=SMTP)
    names = {name.lower() for name, _value in headers}
    for name, value in headers:
        msg[name] = value
    if "date" not in names:
        # A fixed date per record (the set must build the same bytes everywhere).
        day = int(hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()[:4], 16) % 28 + 1
        msg["Date"] = format_datetime(datetime(2025, 3, day, 9, 30, tzinfo=_PARIS))
    if "message-id" not in names:
        sender = msg.get("From", "")
        domain = sender.rpartition("@")[2].strip(" >") or "example.org"
        token = hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()[:16]
        msg["Message-ID"] = f"<{token}@{domain}>"
    msg.set_content(body.strip() + "\n")
    return msg.as_bytes()


def load_labelled(path: Path) -> list[Labelled]:
    """Records of labelled/*.txt: meta lines, headers, a blank line, the body; `%%` ends a record."""
    text = path.read_text(encoding="utf-8")
    records = [r for r in text.split("\n%%\n") if r.strip()]
    out: list[Labelled] = []
    for index, record in enumerate(records):
        lines = [line for line in record.strip("\n").split("\n") if not line.startswith("#")]
        meta: dict[str, str] = {}
        headers: list[tuple[str, str]] = []
        body_start = len(lines)
        for i, line in enumerate(lines):
            if not line.strip():
                body_start = i + 1
                break
            name, _sep, value = line.partition(":")
            key = name.strip().lower()
            if key in _META and not headers:
                meta[key] = value.strip()
            else:
                headers.append((name.strip(), value.strip()))
        body = "\n".join(lines[body_start:])
        if not meta.get("label") or not headers:
            continue
        ident = f"{path.stem}:{index + 1}"
        out.append(
            Labelled(
                ident=ident,
                label=meta["label"],
                raw=build_raw(headers, body, seed=f"{path.name}:{record}"),
                language=meta.get("lang", ""),
                source=meta.get("source", ""),
                history=_history(meta.get("history", "")),
            )
        )
    return out


# The parts of the labelled set: what the models learn from, and what they are measured on (each test
# part was written and frozen before the training records that came after it; see labelled/README.md).
TRAIN_PARTS: tuple[str, ...] = ("train", "train_hard")
TEST_PARTS: tuple[str, ...] = ("test", "test_hard")


def labelled(part: str, directory: Path = LABELLED_DIR) -> list[Labelled]:
    return load_labelled(directory / f"{part}.txt")


def labelled_training(directory: Path = LABELLED_DIR) -> list[Labelled]:
    """Every training part of the labelled set (never a test part)."""
    return [
        e for part in TRAIN_PARTS if (directory / f"{part}.txt").is_file() for e in labelled(part, directory)
    ]


# --- Corpora ---------------------------------------------------------------------------------


def read_dir(path: Path) -> Iterator[tuple[str, bytes]]:
    """Every file of a directory of raw messages (one per file), in name order."""
    for file in sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")):
        if file.name in ("cmds", "SOURCE.md", "README.md", "LICENSE"):
            continue
        yield file.name, file.read_bytes()


def spamassassin(corpus: Path, *, test: bool | None = None) -> list[Labelled]:
    """SpamAssassin's public corpus as ham/spam; `test` picks one side of the fixed split."""
    out: list[Labelled] = []
    for folder, label in (("easy_ham", "ham"), ("hard_ham", "ham"), ("spam", "spam")):
        directory = corpus / "spamassassin" / folder
        if not directory.is_dir():
            continue
        for name, raw in read_dir(directory):
            if test is None or is_test(name) == test:
                out.append(
                    Labelled(ident=f"spamassassin/{folder}/{name}", label=label, raw=raw, source=folder)
                )
    return out


def as_category(example: Labelled) -> Labelled:
    """SpamAssassin's labels in the five categories: spam stays spam; ham sent to a list or in bulk is a
    newsletter; the rest of the ham is personal mail between people who know each other (network)."""
    read = doc(example)  # once: the reading that decides the label is the one the model learns from
    if example.label == "spam":
        label = K.SPAM
    elif example.source == "hard_ham":
        label = K.NEWSLETTER  # commercial newsletters, by the corpus's own description
    else:
        codes = {s.code for s in header_signals(read)}
        bulk = codes & {"list_unsubscribe", "list_id", "precedence", "bulk_mailer", "auto_submitted"}
        label = K.NEWSLETTER if bulk else K.NETWORK
    return Labelled(example.ident, label, example.raw, source=example.source, mail_doc=read)


def sisimai_notifications(corpus: Path, *, limit: int = 150) -> list[Labelled]:
    """A fixed sample of sisimai's bounces and delivery reports, as automatic notifications."""
    directory = corpus / "email-fixtures" / "sisimai-set-of-emails" / "maildir" / "bsd"
    if not directory.is_dir():
        return []
    files = sorted(
        (p for p in directory.iterdir() if p.suffix == ".eml"),
        key=lambda p: hashlib.sha1(p.name.encode(), usedforsecurity=False).hexdigest(),
    )
    return [
        Labelled(ident=f"sisimai/{p.name}", label=K.NEWSLETTER, raw=p.read_bytes(), source="sisimai")
        for p in files[:limit]
    ]


def base_training_set(corpus: Path | None) -> list[tuple[Labelled, float]]:
    """What the base model learns from, with weights: the labelled FR/EN training part (weight 3: few,
    but in the hub's languages and categories), and when the corpora are there, SpamAssassin (all of it:
    the shipped model is not what the evaluation measures) and sisimai's notifications."""
    examples: list[tuple[Labelled, float]] = [(e, 3.0) for e in labelled_training()]
    if corpus is not None and corpus.is_dir():
        examples += [(as_category(e), 1.0) for e in spamassassin(corpus)]
        examples += [(e, 1.0) for e in sisimai_notifications(corpus)]
    return examples


def encode_all(examples: list[Labelled]) -> list[K.Encoded]:
    return [K.encode(doc(e), e.history) for e in examples]


def train_categories(weighted: list[tuple[Labelled, float]], *, C: float = 30.0) -> K.LinearModel:
    """The base model's recipe (also what the evaluation trains on its training part)."""
    import numpy as np

    rows = encode_all([e for e, _w in weighted])
    labels = [e.label for e, _w in weighted]
    weights = np.array([w for _e, w in weighted], dtype=np.float64)
    return K.train(rows, labels, classes=K.CATEGORIES, C=C, sample_weight=weights)
