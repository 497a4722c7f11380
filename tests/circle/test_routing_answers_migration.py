"""Rows stored before migration 0008 are filled: each member's offers answered and accepted, and the
profile texts a row was built from where the former digest says they are still the profile's (the other
rows are built again at the next ranking)."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cercle.circle.models import MemberWords
from cercle.circle.ranking import rank_members
from tests.factories import RequestFactory

BEFORE = ("circle", "0007_routing_words_stored")


@pytest.mark.django_db(transaction=True)
def test_rows_stored_before_get_their_answers_and_profile_texts() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    User, Profile = old.get_model("accounts", "User"), old.get_model("circle", "MemberProfile")
    Words, Offer = old.get_model("circle", "MemberWords"), old.get_model("circle", "Offer")

    def member(name: str, offers: str, digest_of: str) -> int:
        user = User.objects.create(username=name, first_name=name, role="member", offer_statement="")
        Profile.objects.create(user=user, offers=offers, skills="", headline_fr="", headline_en="")
        digest = hashlib.blake2b(digest_of.encode(), digest_size=16).hexdigest()
        Words.objects.create(member=user, profile_digest=digest)
        return user.pk

    fresh = member("ines", "Bilans carbone", digest_of="Bilans carbone")
    edited = member("paul", "Droit des contrats", digest_of="Droit social")  # edited since the row
    for state in ("accepted", "declined", "declined", "pending"):
        Offer.objects.create(request_id=RequestFactory().pk, member_id=fresh, state=state)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = {row.member_id: row for row in MemberWords.objects.all()}
    assert (rows[fresh].answered, rows[fresh].accepted) == (3, 1)  # the pending one is not an answer
    assert rows[fresh].profile_source == "\x1fBilans carbone\x1f\x1f\x1f"
    assert rows[edited].profile_source == ""
    built = {pk: row.built_at for pk, row in rows.items()}

    rank_members(request=RequestFactory(subject="Un bilan carbone"))

    rows = {row.member_id: row for row in MemberWords.objects.all()}
    assert rows[fresh].built_at == built[fresh]  # still the profile's: not built again
    assert rows[edited].built_at > built[edited]
    assert rows[edited].profile_source == "\x1fDroit des contrats\x1f\x1f\x1f"
