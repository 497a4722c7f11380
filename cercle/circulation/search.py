"""Search the mail: every stored message, received or sent, by the words of its subject, sender and text
(FTS5 on SQLite, accents ignored; a GIN index on PostgreSQL; migration circulation 0010). An import's
mail is searchable as soon as its batch commits, as notmuch's is once indexed.

Each word of the question must appear (`"devis berthier"` finds mail holding both); the best matches
come first. Roles: the leader and the second search everything, a member only the threads of the
requests they may see (`requests_visible_to`).
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from cercle.accounts.models import User
from cercle.accounts.permissions import OVERSEE_ROLES
from cercle.circulation.models import Message
from cercle.circulation.selectors import requests_visible_to

RESULTS = 50
_CANDIDATES = 1000  # best text matches considered before the reader's rights filter them
_WORD = re.compile(r"\w+", re.UNICODE)
# The indexed text on PostgreSQL, exactly as the migrations' index writes it (circulation 0011).
# Accents folded as SQLite's tokenizer folds them (`translate`: built in and immutable, where `unaccent`
# is an extension a host may not allow), and only in text that has a character outside ASCII: in the
# rest it would change nothing, and it is the costliest part of indexing a message. Columns named with
# their table: the query joins the request, which has a subject too.
_ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿœæÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝŒÆ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyyoaAAAAAACEEEEIIIINOOOOOUUUUYOA"
_TEXT = (
    "intake_message.subject || ' ' || intake_message.from_name || ' ' || intake_message.from_email || ' ' "
    "|| left(intake_message.text, 100000)"
)
PG_DOCUMENT = (
    f"to_tsvector('simple', CASE WHEN ({_TEXT}) ~ '[^\\x01-\\x7f]' "
    f"THEN translate({_TEXT}, '{_ACCENTED}', '{_PLAIN}') ELSE {_TEXT} END)"
)
_FOLD = str.maketrans(_ACCENTED, _PLAIN)


def query_words(query: str) -> list[str]:
    """The words of a question, at most 12 (punctuation and FTS syntax are not operators here)."""
    return _WORD.findall(query.lower())[:12]


def messages_search(*, user: User, query: str, limit: int = RESULTS) -> list[Message]:
    """The messages `user` may read that hold every word of `query`, best matches first."""
    words = query_words(query)
    if not words or not user.is_authenticated:
        return []
    found = _visible(user, Message.objects.select_related("request", "request__requester"))
    if connection.vendor == "sqlite":
        match = " ".join(f'"{w}"' for w in words)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM intake_message_fts WHERE intake_message_fts MATCH %s ORDER BY rank LIMIT %s",
                [match, _CANDIDATES],
            )
            ranked = [row[0] for row in cursor.fetchall()]
        order = {pk: i for i, pk in enumerate(ranked)}
        messages = list(found.filter(pk__in=ranked))
        messages.sort(key=lambda m: order[m.pk])
        return messages[:limit]
    # A constant expression (the index's); the words go as a parameter.
    condition = RawSQL(  # noqa: S611
        f"{PG_DOCUMENT} @@ plainto_tsquery('simple', %s)",
        [" ".join(words).translate(_FOLD)],
        output_field=BooleanField(),
    )
    return list(found.filter(condition).order_by("-sent_at", "-id")[:limit])


def _visible(user: User, messages: QuerySet[Message]) -> QuerySet[Message]:
    if user.role in OVERSEE_ROLES or user.is_superuser:
        return messages
    return messages.filter(request__in=requests_visible_to(user).values("pk"))
