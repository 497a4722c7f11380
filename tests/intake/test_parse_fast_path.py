"""parse_message reads headers and single-part bodies without the standard library's feed parser when it
can: what it reads must be exactly what the feed parser would have given, on real mail and broken mail."""

from __future__ import annotations

from dataclasses import asdict
from email import message_from_bytes
from pathlib import Path

import pytest

from cercle.mail import parse
from cercle.mail.headers import POLICY, headers_of, parse_head
from tests.conftest import corpus_path

BROKEN = [
    b"From sender@example.org Mon Jan  1 00:00:00 2024\nFrom: a@b.example\nSubject: mbox\n\nbody\n",
    b" continued first line\nSubject: x\n\nbody",
    b"Subject: x\nnot a header line\nFrom: a@b.example\n\nbody",
    b"Subject: x\r\rFrom: a@b.example\n\nbody",
    b"Subject: x\nFrom a@b.example\n\nbody",
    b": no name\nSubject: x\n\nbody",
    b"\nbody only",
    b"Subject: no body",
    b"Subject: folded\n\tvalue\nTo: a@b.example,\n b@c.example\r\n\r\nbody\r\nline 2\r\n",
    b"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\npart\n--x--\n",
    b"Content-Type: message/rfc822\n\nSubject: inner\n\ninner body\n",
    b"Subject: =?utf-8?q?caf=C3=A9?=\nContent-Type: text/plain; charset=latin-1\n\ncaf\xe9\n",
]


def _the_slow_way(raw: bytes) -> parse.ParsedMessage:
    fast = parse._message
    parse._message = lambda data: message_from_bytes(data, policy=POLICY)  # type: ignore[assignment]
    try:
        return parse.parse_message(raw)
    finally:
        parse._message = fast  # type: ignore[assignment]


@pytest.mark.parametrize("raw", BROKEN)
def test_broken_messages_read_as_the_feed_parser_reads_them(raw):
    assert asdict(parse.parse_message(raw)) == asdict(_the_slow_way(raw))
    slow = message_from_bytes(raw, policy=POLICY)
    head = parse_head(raw)
    assert list(head.raw_items()) == list(slow.raw_items())
    assert head.get_unixfrom() == slow.get_unixfrom()


@pytest.mark.parametrize(
    "parts",
    [
        ("spamassassin", "easy_ham"),
        ("spamassassin", "spam"),
        ("email-fixtures", "sisimai-set-of-emails", "maildir", "bsd"),
        ("email-fixtures", "php-mime-mail-parser"),
        ("email-fixtures", "mailpit"),
    ],
)
def test_the_corpus_reads_as_the_feed_parser_reads_it(parts):
    files = sorted(
        p for p in Path(corpus_path(*parts)).rglob("*") if p.is_file() and p.stat().st_size < 2**20
    )
    assert files
    for file in files[:400]:
        raw = file.read_bytes()
        fast = parse.parse_message(raw)
        assert asdict(fast) == asdict(_the_slow_way(raw)), file
        if "StrayHeaderLineDropped" not in fast.defects:  # else read from the repaired header block
            assert headers_of(raw) == fast.headers, file
