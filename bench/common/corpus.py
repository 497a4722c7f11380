"""Real messages from the corpus kept beside the repository (``../shared/corpus``), each given a fresh,
unique, deterministic Message-ID.

The corpus: the SpamAssassin messages (one per file: easy_ham, hard_ham, spam) then the Enron mbox
files. A message keeps its bytes, except its Message-ID header (replaced, or added when missing) and
an mbox ``From `` envelope line (dropped). Replies therefore no longer find their parents.
"""

from __future__ import annotations

import hashlib
import mailbox
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SPAMASSASSIN_DIRS = ("easy_ham", "hard_ham", "spam")
SKIP_NAMES = {"SOURCE.md", "LICENSE", "README.md", "COPYING", "cmds"}

_HEADER_END = re.compile(rb"\r?\n\r?\n")
# A Message-ID header with its folded continuation lines, in the header block only.
_MSGID_HEADER = re.compile(rb"^message-id[ \t]*:[^\n]*\n?(?:[ \t][^\n]*\n?)*", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Source:
    """One corpus message: a file (SpamAssassin) or a key in an mbox file (Enron)."""

    path: Path
    key: str | None = None


def has_corpus(corpus: Path) -> bool:
    return (corpus / "spamassassin").is_dir() or (corpus / "enron-mbox").is_dir()


def corpus_sources(corpus: Path) -> list[Source]:
    """Every message of the corpus, in a stable order (SpamAssassin by folder and name, then Enron)."""
    sources: list[Source] = []
    spam = corpus / "spamassassin"
    for name in SPAMASSASSIN_DIRS:
        folder = spam / name
        if folder.is_dir():
            sources += [
                Source(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name not in SKIP_NAMES
            ]
    enron = corpus / "enron-mbox"
    if enron.is_dir():
        for path in sorted(p for p in enron.rglob("*") if p.is_file() and p.name not in SKIP_NAMES):
            box = mailbox.mbox(str(path), create=False)
            sources += [Source(path, key) for key in box.iterkeys()]
            box.close()
    return sources


class CorpusReader:
    """Raw bytes of a corpus message, without an mbox ``From `` envelope line; mbox files stay open."""

    def __init__(self) -> None:
        self.boxes: dict[Path, mailbox.mbox] = {}

    def read(self, source: Source) -> bytes:
        if source.key is None:
            raw = source.path.read_bytes()
            if raw.startswith(b"From "):
                raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
            return raw
        box = self.boxes.get(source.path)
        if box is None:
            box = self.boxes[source.path] = mailbox.mbox(str(source.path), create=False)
        return box.get_bytes(source.key)

    def close(self) -> None:
        for box in self.boxes.values():
            box.close()


def fresh_message_id(seed: int, index: int) -> bytes:
    digest = hashlib.blake2s(f"{seed}:{index}".encode(), digest_size=6).hexdigest()
    return f"<bench.{index:07d}.{digest}@cercle-bench.invalid>".encode()


def with_message_id(raw: bytes, message_id: bytes) -> bytes:
    """The message with its Message-ID header replaced (or added first); everything else byte for byte."""
    end = _HEADER_END.search(raw)
    # The header block keeps its last line ending; the blank line starts the body.
    split = end.start() + (2 if end.group(0).startswith(b"\r\n") else 1) if end else len(raw)
    head, body = raw[:split], raw[split:]
    eol = b"\r\n" if b"\r\n" in head[:2000] else b"\n"
    line = b"Message-ID: " + message_id + eol
    seen = []

    def replace(match: re.Match[bytes]) -> bytes:
        seen.append(match)
        return line if len(seen) == 1 else b""  # the first one in place, any other one dropped

    head = _MSGID_HEADER.sub(replace, head)
    return (head if seen else line + head) + body


def corpus_messages(
    corpus: Path, n: int, seed: int, *, shuffle: bool = True, sources: list[Source] | None = None
) -> Iterator[bytes]:
    """n messages with fresh Message-IDs: the corpus (shuffled by ``seed``, or in its stable order)
    cycled until n. ``sources`` spares reading the corpus's list again."""
    sources = list(corpus_sources(corpus) if sources is None else sources)
    if not sources:
        raise SystemExit(f"no message found in the corpus {corpus}")
    if shuffle:
        random.Random(seed).shuffle(sources)
    reader = CorpusReader()
    try:
        for index in range(n):
            yield with_message_id(reader.read(sources[index % len(sources)]), fresh_message_id(seed, index))
    finally:
        reader.close()
