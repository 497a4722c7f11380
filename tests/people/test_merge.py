"""Duplicates suggested with their evidence; a merge keeps everything and can be undone exactly."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cercle.circulation.models import Event
from cercle.network.duplicates import duplicate_suggestions, mailbox_key
from cercle.network.models import Contact, ContactNote, Interaction
from cercle.network.services import contact_by_email, identities_add, interaction_record_many
from cercle.network.strength import strength_fold
from cercle.people.merge import contact_merge, merge_undo
from cercle.people.services import PeopleError
from tests.conftest import login
from tests.factories import ContactFactory, RequestFactory

pytestmark = pytest.mark.django_db


def _mail(contact: Contact, key: str, inbound: bool = True) -> None:
    interaction_record_many(
        interactions=[
            Interaction(contact=contact, kind="mail", inbound=inbound, at=timezone.now(), source_key=key)
        ]
    )


def test_the_same_gmail_box_and_close_names_at_one_organisation_are_suggested() -> None:
    assert mailbox_key("Jean.Dupont+pro@gmail.com") == mailbox_key("jeandupont@googlemail.com")
    a = ContactFactory(name="Jean Dupont", email="jean.dupont@gmail.com", organisation="")
    b = ContactFactory(name="J. Dupont", email="jeandupont@gmail.com", organisation="")
    c = ContactFactory(
        name="Marie-Claire Martin", email="mc.martin@berthier.fr", organisation="Maison Berthier"
    )
    d = ContactFactory(name="Marie Claire Martin", email="mcm@berthier.fr", organisation="Maison Berthier")
    ContactFactory(name="Marie Martin", email="marie@autre.fr", organisation="Autre")
    found = {(s.first.pk, s.second.pk): s for s in duplicate_suggestions()}
    assert set(found) == {(a.pk, b.pk), (c.pk, d.pk)}
    assert "jeandupont@gmail.com" in found[(a.pk, b.pk)].evidence[0]
    assert "maison berthier" in found[(c.pk, d.pk)].evidence[0]


def test_merging_moves_exchanges_requests_notes_and_addresses_then_undo_puts_them_back(second) -> None:
    kept = ContactFactory(name="Jean Dupont", email="jean@berthier.fr", position="")
    merged = ContactFactory(name="Jean Dupont", email="jean.dupont@gmail.com", position="Directeur")
    _mail(kept, "<a@t>")
    _mail(merged, "<b@t>", inbound=False)
    _mail(merged, "<a@t>")  # the same mail to both addresses: counted once after the merge
    request = RequestFactory(requester=merged)
    note = ContactNote.objects.create(contact=merged, text="Aime le vélo")
    strength_fold()

    record = contact_merge(actor=second, kept=kept, merged=merged, evidence=["test"])
    kept.refresh_from_db()
    assert set(kept.interactions.values_list("source_key", flat=True)) == {"<a@t>", "<b@t>"}
    assert (kept.count_in, kept.count_out) == (1, 1)
    request.refresh_from_db()
    assert request.requester_id == kept.pk
    assert "merged into one person" in Event.objects.filter(request=request).latest("pk").note_source["msgid"]
    assert ContactNote.objects.get(pk=note.pk).contact_id == kept.pk
    assert kept.position == "Directeur"
    assert contact_by_email("jean.dupont@gmail.com") == kept  # mail from the other address lands here

    merge_undo(actor=second, merge=record)
    kept.refresh_from_db()
    merged.refresh_from_db()
    assert merged.merged_into_id is None
    assert set(merged.interactions.values_list("source_key", flat=True)) == {"<a@t>", "<b@t>"}
    assert list(kept.interactions.values_list("source_key", flat=True)) == ["<a@t>"]
    request.refresh_from_db()
    assert request.requester_id == merged.pk
    assert ContactNote.objects.get(pk=note.pk).contact_id == merged.pk
    assert kept.position == ""
    assert contact_by_email("jean.dupont@gmail.com") == merged
    with pytest.raises(PeopleError):
        merge_undo(actor=second, merge=record)


def test_a_person_cannot_be_merged_with_themselves_and_members_cannot_merge(second, member) -> None:
    person = ContactFactory()
    with pytest.raises(PeopleError):
        contact_merge(actor=second, kept=person, merged=person)
    other = ContactFactory()
    response = login(member).post(reverse("people:merge"), {"kept": person.pk, "merged": other.pk})
    assert response.status_code == 403
    assert Contact.objects.get(pk=other.pk).merged_into_id is None


def test_merging_from_the_page_and_dismissing_a_suggestion_for_good(second) -> None:
    a = ContactFactory(name="Ana Lopez", email="ana@studio.fr", organisation="Studio")
    b = ContactFactory(name="Ana López", email="a.lopez@studio.fr", organisation="Studio")
    identities_add(b, names=["Ana López"])
    client = login(second)
    page = client.get(reverse("people:duplicates")).content.decode()
    assert "Ana López" in page and "même organisation" in page
    client.post(reverse("people:duplicate_dismiss"), {"one": a.pk, "other": b.pk})
    assert "Ana López" not in client.get(reverse("people:duplicates")).content.decode()
    response = client.post(reverse("people:merge"), {"kept": a.pk, "merged": b.pk})
    assert response.url == reverse("people:detail", args=[a.pk])
    assert "Annuler la fusion" in client.get(response.url).content.decode()
    assert client.get(reverse("people:detail", args=[b.pk])).url == reverse("people:detail", args=[a.pk])
    bad = client.post(reverse("people:merge"), {"kept": "x", "merged": b.pk})
    assert bad.status_code == 302


def test_whom_the_merged_record_knows_counts_for_the_kept_one_and_undo_restores_it(second) -> None:
    from datetime import timedelta

    from cercle.network.models import ContactTie
    from cercle.network.paths import introduction_paths
    from cercle.network.ties import ties_record_message

    now = timezone.now()
    kept = ContactFactory(name="Jean Dupont", email="jean@berthier.fr", in_network=True)
    merged = ContactFactory(name="Jean Dupont", email="jean.dupont@gmail.com", in_network=True)
    anne = ContactFactory(name="Anne Roy", email="anne@roy.example", in_network=True)
    zoe = ContactFactory(name="Zoé Lam", email="zoe@lam.example", in_network=True)
    # Jean knew Zoé only under his second address; Anne under both.
    for n in range(4):
        ties_record_message(
            message_key=f"<z{n}@t>", sender=merged, recipients=[zoe], at=now - timedelta(days=n)
        )
    ties_record_message(message_key="<a1@t>", sender=anne, recipients=[kept], at=now - timedelta(days=40))
    ties_record_message(message_key="<a2@t>", sender=merged, recipients=[anne], at=now - timedelta(days=2))
    # The hub knows Jean (the kept record) well.
    for n in range(6):
        _mail(kept, f"<h{n}@t>", inbound=bool(n % 2))
    strength_fold()

    def tie(x: Contact, y: Contact) -> ContactTie | None:
        a, b = sorted((x.pk, y.pk))
        return ContactTie.objects.filter(a_id=a, b_id=b).first()

    assert tie(kept, zoe) is None
    assert not any(p.intermediaries[0] == kept for p in introduction_paths(target_id=zoe.pk))

    record = contact_merge(actor=second, kept=kept, merged=merged)

    zoe_tie, anne_tie = tie(kept, zoe), tie(kept, anne)
    assert zoe_tie is not None and zoe_tie.count == 4
    assert (zoe_tie.a_wrote if zoe_tie.a_id == kept.pk else zoe_tie.b_wrote) == 4
    assert anne_tie.count == 2 and anne_tie.last_at == now - timedelta(days=2)
    assert any(p.intermediaries[0] == kept for p in introduction_paths(target_id=zoe.pk))

    merge_undo(actor=second, merge=record)

    assert tie(kept, zoe) is None
    anne_tie = tie(kept, anne)
    assert anne_tie.count == 1 and anne_tie.last_at == now - timedelta(days=40)
    assert tie(merged, zoe).count == 4  # the merged record's own ties never moved
