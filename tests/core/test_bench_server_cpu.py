"""The ingest bench counts a local PostgreSQL server's CPU (bench/common/server_cpu.py)."""

from __future__ import annotations

import os
import time

import pytest
from django.db import connection

from bench.common.server_cpu import ServerCpu, local_postgres


def test_only_a_postgresql_server_on_this_machine_is_measured():
    assert local_postgres("postgres://postgres@127.0.0.1:5432/cercle")
    assert local_postgres("postgresql://u@localhost/cercle")
    assert local_postgres("postgres:///cercle")  # the local socket
    assert not local_postgres("postgres://u@db.example.org/cercle")
    assert not local_postgres("sqlite:///data/cercle.sqlite3")
    assert not local_postgres(None)
    with ServerCpu("postgres://u@db.example.org/cercle") as elsewhere:
        pass
    assert elsewhere.seconds is None  # unknown, not 0


@pytest.mark.django_db
def test_the_server_cpu_of_a_query_is_counted():
    if connection.vendor != "postgresql" or not local_postgres(os.environ.get("DATABASE_URL")):
        return  # no server on this machine: nothing to measure (the first test covers the choice)
    started = time.monotonic()
    with (
        ServerCpu(os.environ.get("DATABASE_URL"), every=0.05) as server,
        connection.cursor() as cursor,
    ):
        # About a second of the backend's own work.
        cursor.execute("SELECT count(*) FROM generate_series(1, 4000000) g WHERE md5(g::text) LIKE 'a%%'")
    assert server.seconds is not None
    assert 0.3 < server.seconds <= (time.monotonic() - started) * 2 + 0.5
