"""The bench database: migrate it, refuse or empty one that holds data, describe it, empty it after.

Django must be set up first (``env.setup_django``). SQLite in the data dir by default; PostgreSQL when
``DATABASE_URL`` is set, where the bench empties the tables it filled unless told to keep them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .env import log


def bench_models() -> list[Any]:
    """The tables a bench fills, and what refers to them."""
    from django.apps import apps

    labels = ("accounts", "circle", "circulation", "intake", "network", "projects", "sessions")
    models = [m for label in labels for m in apps.get_app_config(label).get_models(include_auto_created=True)]
    from cercle.outbox.models import OutgoingMessage

    return [*models, OutgoingMessage]


def flush_bench_tables() -> None:
    """Empty the tables the benches fill (the seeded mail templates stay)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    tables = [m._meta.db_table for m in bench_models()]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def ensure_postgres_database() -> None:
    """Create the DATABASE_URL database when it does not exist yet (a bench database, e.g. cercle_bench)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    import psycopg

    params = connection.get_connection_params()
    name = params.pop("dbname", None) or connection.settings_dict["NAME"]
    params = {k: v for k, v in params.items() if k != "context"}
    try:
        psycopg.connect(dbname=name, **params).close()
        return
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    log(f"  creating the PostgreSQL database {name}")
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')


def prepare_database(flush: bool, holds_data: Callable[[], bool], what: str) -> float:
    """Migrate (returns the seconds it took); when ``holds_data()``, flush with ``flush`` or stop.

    ``what`` names the data in the message that stops the bench ("the database already holds WHAT").
    """
    from django.core.management import call_command

    ensure_postgres_database()
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    seconds = time.perf_counter() - started
    if holds_data():
        if not flush:
            raise SystemExit(
                f"the database already holds {what}: pass --flush to empty the bench tables first "
                "(or use a fresh --data-dir / database)"
            )
        log("  flushing the bench tables")
        flush_bench_tables()
    return seconds


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def database_label(*, megabyte: float = 2**20, show_path: bool = False) -> str:
    """Engine, version and size (SQLite counts its WAL files), in MB of ``megabyte`` bytes."""
    from django.db import connection

    if connection.vendor == "sqlite":
        path = Path(str(connection.settings_dict["NAME"]))
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
        version = connection.Database.sqlite_version  # type: ignore[attr-defined]
        if show_path:
            return f"SQLite {version}, {path} ({size / megabyte:,.0f} MB with WAL)"
        return f"SQLite {version}, {size / megabyte:,.0f} MB with WAL"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database()), current_setting('server_version')")
        size, version = cursor.fetchone()
    return f"PostgreSQL {version}, database {connection.settings_dict['NAME']} ({size / megabyte:,.0f} MB)"


def release_database(owns_rows: bool, keep: bool) -> None:
    """At the end: empty the bench tables of a server database the bench filled (unless kept), disconnect."""
    from django.db import connection, connections

    if owns_rows and connection.vendor != "sqlite" and not keep:
        log("  emptying the bench tables (pass --keep to keep the rows)")
        flush_bench_tables()
    connections.close_all()
