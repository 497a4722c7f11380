"""The stored form of a message's bytes (mail/source.py): Zstandard now, zlib from earlier versions
still read; the head of a large source read without the rest."""

from __future__ import annotations

import random
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
import zstandard

from cercle.mail.headers import head_end
from cercle.mail.source import source_compress, source_decompress, source_head


def _mail(body_bytes: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    words = ["devis", "rendez-vous", "accompagnement", "Bonjour", "merci", "projet", "équipe"]
    body = " ".join(rng.choice(words) for _ in range(body_bytes // 7)).encode()
    # An attachment-like tail that does not compress: the head must not need it.
    noise = rng.randbytes(body_bytes)
    return (
        b"From: Marc <marc@client.example>\r\nSubject: Devis\r\nList-Unsubscribe: <mailto:u@x>\r\n\r\n"
        + body
        + b"\r\n"
        + noise
    )


def _has_headers_end(raw: bytes) -> bool:
    return head_end(raw) != -1


def test_a_source_round_trips_and_is_stored_smaller_as_a_zstandard_frame():
    raw = _mail(200_000)
    stored = source_compress(raw)
    assert stored[:4] == b"\x28\xb5\x2f\xfd"
    assert len(stored) < len(raw)
    assert source_decompress(stored) == raw
    assert source_decompress(memoryview(stored)) == raw  # as a database driver may hand it


def test_a_source_stored_by_an_earlier_version_as_zlib_is_still_read():
    raw = _mail(50_000, seed=2)
    for level in (1, 6):
        assert source_decompress(zlib.compress(raw, level)) == raw


@pytest.mark.parametrize("compress", [source_compress, lambda raw: zlib.compress(raw, 1)])
def test_the_head_stops_early_when_the_headers_are_whole_and_reads_on_when_not(compress):
    raw = _mail(400_000, seed=3)
    stored = compress(raw)
    head = source_head(stored, has_end=_has_headers_end, chunk=4096)
    assert len(head) == 4096 and raw.startswith(head)
    # Headers longer than the chunk: the rest is read.
    long_header = b"X-Long: " + b"a" * 10_000 + b"\r\n" + raw
    whole = source_head(compress(long_header), has_end=_has_headers_end, chunk=4096)
    assert whole == long_header


def test_damaged_bytes_give_an_empty_head_and_an_error_when_read_whole():
    for damaged in (b"\x28\xb5\x2f\xfd garbage", b"\x78\x01 garbage"):
        assert source_head(damaged, has_end=_has_headers_end) == b""
        with pytest.raises((zlib.error, zstandard.ZstdError)):
            source_decompress(damaged)


def test_threads_compress_and_read_at_once_each_their_own():
    raws = [_mail(30_000, seed=n) for n in range(24)]

    def round_trip(raw: bytes) -> bool:
        return all(source_decompress(source_compress(raw)) == raw for _ in range(5))

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert all(pool.map(round_trip, raws))
