"""core/bulk.py: rows written by one prepared statement (or PostgreSQL's COPY) read back as the ORM
writes them; instances built the short way are the ORM's; reserved keys are nobody else's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from cercle.circulation.models import Event, EventKind, Message, Request
from cercle.core.bulk import commit_lazily, instance_new, keys_reserve, objects_insert
from cercle.network.models import Contact, Interaction, InteractionKind


@pytest.mark.django_db
def test_objects_insert_writes_what_save_writes(incoming: Request) -> None:
    at = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)
    fields = dict(
        request=incoming,
        subject="Sujet é",
        from_email="a@b.example",
        sent_at=at,
        text="texte",
        attachments=[{"name": "f.pdf", "size": 3}],
        raw_compressed=b"\x00\x01raw",
        truncated=True,
    )
    saved = Message.objects.create(message_id="<orm@x>", **fields)
    objects_insert([Message(message_id="<bulk@x>", **fields)])
    bulk = Message.objects.get(message_id="<bulk@x>")
    for name in ("request_id", "subject", "from_email", "sent_at", "text", "attachments", "truncated"):
        assert getattr(bulk, name) == getattr(saved, name), name
    assert bytes(bulk.raw_compressed) == b"\x00\x01raw"
    assert bulk.created_at is not None  # auto_now_add filled as save() fills it


@pytest.mark.django_db
def test_related_objects_saved_in_between_give_their_keys(incoming: Request) -> None:
    request = Request(requester=incoming.requester, subject="Nouvelle", received_at=incoming.received_at)
    event = Event(request=request, kind=EventKind.CREATED, note="x")
    with transaction.atomic():
        request.pk = keys_reserve(Request, 1)[0]
        objects_insert([request])
        objects_insert([event])
    assert Event.objects.get(note="x").request_id == request.pk
    assert Request.objects.get(pk=request.pk).subject == "Nouvelle"


@pytest.mark.django_db
def test_ignore_conflicts_skips_a_duplicate_and_without_it_the_insert_fails(incoming: Request) -> None:
    Message.objects.create(message_id="<same@x>", request=incoming)
    objects_insert([Message(message_id="<same@x>", request=incoming)], ignore_conflicts=True)
    assert Message.objects.filter(message_id="<same@x>").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        objects_insert([Message(message_id="<same@x>", request=incoming)])


@pytest.mark.django_db
def test_reserved_keys_follow_the_highest_ever_given() -> None:
    first = Contact.objects.create(email="one@x.example")
    last = Contact.objects.create(email="two@x.example")
    last_key = last.pk
    last.delete()  # a deleted key is never given again
    with transaction.atomic():
        keys = keys_reserve(Contact, 3)
    assert len(set(keys)) == 3 and min(keys) > last_key > first.pk
    with transaction.atomic():
        objects_insert([Contact(pk=k, email=f"{k}@x.example") for k in keys])
        again = keys_reserve(Contact, 1)
    assert again[0] > max(keys)
    # The ORM's own next key comes after them too.
    assert Contact.objects.create(email="next@x.example").pk > max(keys)


@pytest.mark.django_db(transaction=True)
def test_keys_are_reserved_only_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError):
        keys_reserve(Contact, 2)


def _row(message_id: str) -> dict:
    row = Message.objects.filter(message_id=message_id).values().get()
    row.pop("id"), row.pop("message_id"), row.pop("created_at")
    row["raw_compressed"] = bytes(row["raw_compressed"])
    return row


@pytest.mark.django_db
def test_copy_writes_the_row_an_insert_writes(incoming: Request) -> None:
    """Without ON CONFLICT, PostgreSQL's rows go by COPY; with it, by INSERT: the same values read back
    (text with tabs, newlines, backslashes and accents, JSON, bytes, dates, booleans, nulls)."""
    at = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)
    fields = dict(
        request=incoming,
        subject="Sujet é\t",
        from_name="",
        text="ligne\tune\nligne\\deux \\N ñ 😀",
        attachments=[{"name": "f.pdf", "size": 3, "inline": False, "note": "a\tb"}],
        raw_compressed=b"\x00\x01\\N\t\n\xff",
        truncated=True,
        sent_at=at,
        same_id_as=None,
    )
    objects_insert([Message(message_id="<copy@x>", **fields)])  # COPY on PostgreSQL
    objects_insert([Message(message_id="<insert@x>", **fields)], ignore_conflicts=True)  # INSERT
    assert _row("<copy@x>") == _row("<insert@x>")
    assert _row("<copy@x>")["text"] == fields["text"]
    assert _row("<copy@x>")["raw_compressed"] == fields["raw_compressed"]


@pytest.mark.django_db
def test_a_copy_that_breaks_a_constraint_writes_none_of_its_rows(incoming: Request) -> None:
    Message.objects.create(message_id="<taken@x>", request=incoming)
    with pytest.raises(IntegrityError), transaction.atomic():
        objects_insert([Message(message_id="<first@x>", request=incoming), Message(message_id="<taken@x>")])
    assert not Message.objects.filter(message_id="<first@x>").exists()


@pytest.mark.django_db
def test_instance_new_builds_what_the_model_builds(incoming: Request) -> None:
    at = datetime(2026, 3, 29, tzinfo=UTC)
    values = dict(request=incoming, actor=None, kind=EventKind.NOTE, at=at, note="n", note_source={"a": 1})
    short, orm = instance_new(Event, **values), Event(**values)
    assert model_to_dict(short) == model_to_dict(orm)
    assert short.request is incoming and short.request_id == incoming.pk and short._state.adding
    # Defaults: the callable ones called for each instance (never one list shared), the others as given.
    first, second = instance_new(Message, message_id="<a@x>"), instance_new(Message, message_id="<b@x>")
    assert first.attachments == [] and first.attachments is not second.attachments
    assert first.sent_at is not None and first.kind == Message().kind and first.request_id is None
    # A name that is not a field: the model's own constructor (and its error).
    with pytest.raises(TypeError):
        instance_new(Message, no_such_field=1)


@pytest.mark.django_db
def test_an_instance_built_short_takes_its_pending_related_key_when_written(incoming: Request) -> None:
    request = instance_new(
        Request, requester=incoming.requester, subject="En attente", received_at=incoming.received_at
    )
    event = instance_new(Event, request=request, kind=EventKind.CREATED, note="pending")
    with pytest.raises(ValueError), transaction.atomic():
        objects_insert([event])  # its request has no key yet: refused, as save() refuses it
    with transaction.atomic():
        request.pk = keys_reserve(Request, 1)[0]
        objects_insert([request])
        objects_insert([event])
        objects_insert(
            [
                instance_new(
                    Interaction,
                    contact=incoming.requester,
                    kind=InteractionKind.MAIL,
                    at=incoming.received_at,
                    source_key="<k@x>",
                )
            ]
        )
    assert Event.objects.get(note="pending").request_id == request.pk
    assert Interaction.objects.get(source_key="<k@x>").contact_id == incoming.requester_id


@pytest.mark.django_db(transaction=True)
def test_a_lazy_commit_is_for_its_own_transaction_only() -> None:
    def synchronous() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    with transaction.atomic():
        commit_lazily()
        if connection.vendor == "postgresql":
            assert synchronous() == "off"
    if connection.vendor == "postgresql":
        assert synchronous() == "on"  # the next transactions wait for the disk again
        with pytest.raises(RuntimeError):
            commit_lazily()  # outside a transaction it would last for the whole session
    else:
        commit_lazily()  # SQLite: nothing to change (its WAL already commits without waiting)


@pytest.mark.django_db
def test_rows_that_may_clash_are_written_as_the_orm_writes_them_and_a_clash_skipped(
    incoming: Request,
) -> None:
    """`ignore_conflicts` (on PostgreSQL one INSERT of arrays): each row as `save()` writes it; a row
    that clashes with a stored one, or with an earlier row of the same call, is skipped."""
    contact, at = incoming.requester, datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)
    Interaction.objects.create(contact=contact, kind="mail", at=at, subject="déjà", source_key="<old@x>")
    tricky = 'a "quoted", {braced} \\ back\tslash é NULL'
    fields = dict(contact=contact, kind="mail", at=at, inbound=False, audience=3)
    objects_insert(
        [
            Interaction(subject=tricky, source_key="<new@x>", **fields),
            Interaction(subject="autre", source_key="<old@x>", **fields),
            Interaction(subject="second", source_key="<new@x>", **fields),
        ],
        ignore_conflicts=True,
    )
    Interaction.objects.create(subject=tricky, source_key="<orm@x>", **fields)

    def row(key: str) -> dict:
        found = Interaction.objects.filter(source_key=key).values().get()
        found.pop("id"), found.pop("source_key")
        return found

    assert Interaction.objects.count() == 3
    assert row("<new@x>") == row("<orm@x>")
    assert row("<old@x>")["subject"] == "déjà"


@pytest.mark.django_db
def test_many_row_counts_are_written_with_few_statement_shapes(incoming: Request) -> None:
    """Each distinct statement stays prepared in the driver's cache: batches of every row count must
    not each bring a statement of their own (a large import kept tens of megabytes of them), and every
    row is written once, in order."""
    counts = [1, 3, 7, 16, 37, 100, 255, 399, 400, 513, 700]
    sent: list[str] = []  # every statement the driver ran (SQLite's INSERTs bypass Django's cursor)
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.connection.set_trace_callback(sent.append)
    try:
        with CaptureQueriesContext(connection) as captured:
            for batch, count in enumerate(counts):
                objects_insert(
                    [
                        Interaction(
                            contact=incoming.requester,
                            kind="mail",
                            source_key=f"k{batch}-{i}",
                            at=incoming.received_at,
                        )
                        for i in range(count)
                    ]
                )
    finally:
        if connection.vendor == "sqlite":
            connection.connection.set_trace_callback(None)
    sent += [query["sql"] for query in captured.captured_queries]
    shapes = {sql.count("), (") + 1 for sql in sent if "INSERT" in sql}
    if connection.vendor == "sqlite":
        assert len(shapes) <= 10, sorted(shapes)  # one per exact row count would be 12 here, and grow
        assert max(shapes) <= 512
    else:  # PostgreSQL: one COPY a call, whatever the number of rows, and no INSERT
        assert not shapes, sorted(shapes)
    keys = list(Interaction.objects.order_by("pk").values_list("source_key", flat=True))
    assert keys == [f"k{batch}-{i}" for batch, count in enumerate(counts) for i in range(count)]


@pytest.mark.django_db
def test_datetimes_are_written_as_django_writes_them() -> None:
    """An import's rows take their datetimes by a shorter path than Django's on SQLite: the same value
    for any time zone and precision."""
    from datetime import UTC, datetime, timedelta, timezone

    from cercle.core.bulk import _value_of

    field = Interaction._meta.get_field("at")
    read = _value_of(field, connection, datetime.now(UTC))
    for moment in (
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1))),
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    ):
        row = Interaction(at=moment)
        assert read(row) == connection.ops.adapt_datetimefield_value(moment)
    assert read(Interaction(at=None)) is None
    naive = datetime(2026, 11, 23, 9, 0)  # left to Django, whatever it makes of it
    assert read(Interaction(at=naive)) == connection.ops.adapt_datetimefield_value(naive)


@pytest.mark.django_db
def test_rows_insert_converts_each_value_as_django_does() -> None:
    """`rows_insert` skips Django's conversion for values already of the field's type: for every field
    of the tables an import writes, what it gives is what `get_db_prep_save` gives, for such values
    and for others (left to Django: a number given as text, a naive datetime, None)."""
    from datetime import timedelta, timezone
    from decimal import Decimal

    from django.apps import apps

    from cercle.core.bulk import _prep_of

    samples = [
        "texte",
        "",
        "42",
        42,
        0,
        True,
        False,
        None,
        Decimal("1.5"),
        datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
        datetime(2026, 12, 6, 9, 0, 0, 5, tzinfo=timezone(timedelta(hours=-3))),
        datetime(2026, 12, 6, 9, 0),
    ]
    tables = {"network_contacttie", "network_tieevidence", "intake_message", "circulation_request"}
    checked = 0
    for model in apps.get_models():
        if model._meta.db_table not in tables:
            continue
        for field in model._meta.concrete_fields:
            prep = _prep_of(field, connection)
            for value in samples:
                try:
                    expected = field.get_db_prep_save(value, connection)
                except Exception as exc:  # Django refuses it: so must the short way
                    with pytest.raises(type(exc)):
                        prep(value)
                    continue
                given = prep(value)
                # (by their text: the driver's wrappers, as PostgreSQL's Jsonb, do not compare)
                assert repr(given) == repr(expected), (model.__name__, field.name, value)
                assert type(given) is type(expected), (model.__name__, field.name, value)
                checked += 1
    assert checked > 100
