"""How a message's long columns are stored on PostgreSQL (circulation 0014): the text compressed with
lz4 where the server has it, the source (already compressed) out of line without another try."""

from __future__ import annotations

import random
from io import StringIO

from django.core.management import call_command
from django.db import connection

from cercle.circulation.models import Message


def _long_mail(words: int = 6000) -> bytes:
    rng = random.Random(7)
    vocabulary = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
        for _ in range(800)
    ]
    body = " ".join(rng.choice(vocabulary) for _ in range(words))
    return (
        "From: Marc <marc@client.example>\r\nTo: lea@hub.example\r\nSubject: Rapport\r\n"
        f"Message-ID: <long@client.example>\r\n\r\nBonjour,\r\n{body}\r\n"
    ).encode()


def _server_has_lz4() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        return bool(cursor.fetchone()[0])


def test_a_long_message_is_stored_as_the_migration_says_and_reads_back_whole(db, tmp_path):
    source = _long_mail()
    (tmp_path / "1.eml").write_bytes(source)
    call_command("import", str(tmp_path), stdout=StringIO())
    message = Message.objects.get(message_id="<long@client.example>")
    assert message.raw == source
    assert message.text.split()[-1] == source.split()[-1].decode()
    if connection.vendor != "postgresql":
        return  # SQLite stores them as they come
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(text), pg_column_size(raw_compressed), octet_length(raw_compressed) "
            "FROM intake_message WHERE id = %s",
            [message.pk],
        )
        text_method, raw_stored, raw_length = cursor.fetchone()
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'intake_message'::regclass "
            "AND attname IN ('raw_compressed', 'text')"
        )
        storage = dict(cursor.fetchall())
    assert text_method == ("lz4" if _server_has_lz4() else "pglz")
    assert storage == {"raw_compressed": "e", "text": "x"}  # external: out of line, never compressed again
    assert raw_length > 2000 and raw_stored == raw_length


def test_the_mail_index_merges_eight_segments_at_a_time_on_sqlite(db):
    """circulation 0015: FTS5's `automerge` is 8 (fewer rewrites of the index during an import)."""
    if connection.vendor != "sqlite":
        return  # PostgreSQL's index has no such setting
    with connection.cursor() as cursor:
        cursor.execute("SELECT v FROM intake_message_fts_config WHERE k = 'automerge'")
        assert cursor.fetchone() == (8,)
