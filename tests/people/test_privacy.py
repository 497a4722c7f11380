"""Privacy: export everything about one person, and erase a person with a preview of what goes.

Marc Lenoir wrote a request with two attachments (one of them a brochure Zoé sent too), replied to
it, wrote once in Zoé's thread; he has a second address, a note, an older record merged into him, and
mail waiting in the outbox.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from cercle.circulation.models import Event, Message, Request
from cercle.intake.services import message_ingest
from cercle.mail.attachments import attachment_path
from cercle.mail.parse import parse_message
from cercle.network.models import Contact, ContactNote, ContactSearch, Identity, Interaction
from cercle.network.search import search_index
from cercle.network.services import identities_add, interaction_record
from cercle.outbox.models import OutgoingMessage
from cercle.outbox.services import outbox_enqueue
from cercle.people.models import PrivacyAction
from cercle.people.services import contact_note_add
from cercle.projects.services import project_close
from tests.conftest import login
from tests.factories import ContactFactory, RequestFactory
from tests.intake.mails import eml, file_part, multipart, text_part

pytestmark = pytest.mark.django_db

QUOTE = b"%PDF-1.4\n" + b"devis de Marc " * 200
BROCHURE = b"%PDF-1.4\n" + b"plaquette commune " * 200


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def ingest(raw: bytes) -> None:
    message_ingest(parsed=parse_message(raw), raw=raw)


@dataclass
class World:
    marc: Contact
    old_record: Contact
    request: Request
    zoe_request: Request
    originals: dict[str, bytes]
    to_marc_only: OutgoingMessage
    to_marc_and_zoe: OutgoingMessage
    about_his_request: OutgoingMessage


@pytest.fixture
def world(data_dir, second) -> World:
    first = multipart(
        [
            text_part("Bonjour, voici notre devis."),
            file_part(QUOTE),
            file_part(BROCHURE, filename="plaquette.pdf"),
        ],
        message_id="<first@client.example>",
        sender="Marc Lenoir <marc@client.example>",
        subject="Refonte du site",
    )
    reply = eml(
        message_id="<reply@client.example>",
        sender="Marc Lenoir <marc@client.example>",
        subject="Re: Refonte du site",
        headers="In-Reply-To: <first@client.example>\r\n",
        body="Une précision sur le calendrier.",
    )
    zoe = multipart(
        [text_part("Notre projet à nous."), file_part(BROCHURE, filename="plaquette.pdf")],
        message_id="<zoe@other.example>",
        sender="Zoé Autre <zoe@other.example>",
        subject="Autre projet",
    )
    in_zoes_thread = eml(
        message_id="<marc-in-zoe@client.example>",
        sender="Marc Lenoir <marc@client.example>",
        subject="Re: Autre projet",
        headers="In-Reply-To: <zoe@other.example>\r\n",
        body="Je me permets d'ajouter un mot.",
    )
    for raw in (first, reply, zoe, in_zoes_thread):
        ingest(raw)
    marc = Contact.objects.get(email="marc@client.example")
    identities_add(marc, emails=["m.lenoir@perso.example"])
    contact_note_add(actor=second, contact=marc, text="Rencontré au salon de Lyon.")
    old = ContactFactory(name="M. Lenoir", email="marc.lenoir@ancien.example")
    identities_add(old, emails=[old.email], names=[old.name])
    interaction_record(
        contact=old, kind="mail", inbound=True, at=timezone.now() - timedelta(days=400), source_key="<old@x>"
    )
    Contact.objects.filter(pk=old.pk).update(merged_into=marc)
    search_index([marc])
    request = Request.objects.get(subject="Refonte du site")
    zoe_request = Request.objects.get(subject="Autre projet")
    return World(
        marc=marc,
        old_record=old,
        request=request,
        zoe_request=zoe_request,
        originals={
            "<first@client.example>": first,
            "<reply@client.example>": reply,
            "<marc-in-zoe@client.example>": in_zoes_thread,
        },
        to_marc_only=outbox_enqueue(
            idempotency_key="t1",
            to=["Marc Lenoir <marc@client.example>"],
            subject="Invitation",
            body="Venez.",
        ),
        to_marc_and_zoe=outbox_enqueue(
            idempotency_key="t2",
            to=["zoe@other.example"],
            cc=["M. <M.Lenoir@perso.example>"],
            subject="Point",
            body=".",
        ),
        about_his_request=outbox_enqueue(
            idempotency_key="t3",
            to=["marc@client.example"],
            subject="Accusé",
            body=".",
            request_id=request.pk,
        ),
    )


def _file(content: bytes):
    return attachment_path(hashlib.sha256(content).hexdigest())


# --- The preview ------------------------------------------------------------------------------------


def test_the_preview_lists_exactly_what_goes(world, second) -> None:
    page = login(second, "en").get(reverse("people:erase_person", args=[world.marc.pk])).content.decode()
    assert "1 record merged into this person" in page
    # marc@, m.lenoir@, his name; the old record's address and name.
    assert "5 addresses, profiles and names" in page
    assert "1 note" in page
    assert "1 request they made" in page and "Refonte du site" in page
    assert "3 messages" in page and "(of which 1 they wrote outside their own requests)" in page
    assert "1 attachment file on the server" in page  # the brochure stays: Zoé sent it too
    assert "1 mail the hub wrote about their requests" in page
    assert "1 mail not sent yet, addressed to them: cancelled" in page
    assert "1 mail not sent yet, to them and others: their address is removed" in page
    assert "Autre projet" not in page
    interactions = Interaction.objects.filter(contact__in=[world.marc, world.old_record]).count()
    assert f"{interactions} exchanges recorded" in page
    french = login(second).get(reverse("people:erase_person", args=[world.marc.pk])).content.decode()
    assert "Ce qui part" in french and "1 demande de sa part" in french
    assert Contact.objects.filter(pk=world.marc.pk).exists()  # a preview erases nothing


# --- The erase ------------------------------------------------------------------------------------


def test_the_erase_removes_every_row_and_file_of_the_person(
    world, second, django_capture_on_commit_callbacks
) -> None:
    ids = [world.marc.pk, world.old_record.pk]
    quote, brochure = _file(QUOTE), _file(BROCHURE)
    assert quote.exists() and brochure.exists()
    client = login(second)
    seen = client.get(reverse("people:erase_person", args=[world.marc.pk])).context["fingerprint"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("people:erase_person", args=[world.marc.pk]), {"confirmation": "effacer", "seen": seen}
        )
    assert response.status_code == 302 and response["Location"] == reverse("people:network")
    assert not Contact.objects.filter(pk__in=ids).exists()
    for model in (Identity, Interaction, ContactNote, ContactSearch):
        assert not model.objects.filter(contact_id__in=ids).exists()
    assert not Identity.objects.filter(value__icontains="lenoir").exists()
    assert not Request.objects.filter(pk=world.request.pk).exists()
    assert not Event.objects.filter(request_id=world.request.pk).exists()
    assert not Message.objects.filter(from_email__in=["marc@client.example"]).exists()
    assert not Message.objects.filter(request_id=world.request.pk).exists()
    # Zoé's request stays whole but for Marc's word in it, and her history no longer names him.
    assert list(Message.objects.filter(request=world.zoe_request).values_list("message_id", flat=True)) == [
        "<zoe@other.example>"
    ]
    assert not Event.objects.filter(note__icontains="marc@client.example").exists()
    assert Event.objects.filter(request=world.zoe_request, kind="message").exists()
    # His file goes; the brochure Zoé sent too stays.
    assert not quote.exists()
    assert brochure.exists()
    # The outbox: the mail only for him is cancelled, his address leaves the other, his request's mail goes.
    assert not OutgoingMessage.objects.filter(
        pk__in=[world.to_marc_only.pk, world.about_his_request.pk]
    ).exists()
    world.to_marc_and_zoe.refresh_from_db()
    assert (world.to_marc_and_zoe.to, world.to_marc_and_zoe.cc) == (["zoe@other.example"], [])
    assert client.get(reverse("people:detail", args=[world.marc.pk])).status_code == 404


def test_the_audit_of_an_erase_keeps_no_personal_data(world, second) -> None:
    login(second).post(reverse("people:erase_person", args=[world.marc.pk]), {"confirmation": "Marc Lenoir"})
    action = PrivacyAction.objects.get(action="erase")
    assert (action.actor, action.person_id) == (second, world.marc.pk)
    assert action.counts["requests"] == 1 and action.counts["messages"] == 3
    stored = json.dumps(PrivacyAction.objects.filter(pk=action.pk).values().get(), default=str).lower()
    for personal in ("marc", "lenoir", "client.example", "perso.example", "refonte"):
        assert personal not in stored


def test_a_wrong_confirmation_shows_the_form_again_and_erases_nothing(world, second) -> None:
    url = reverse("people:erase_person", args=[world.marc.pk])
    for typed in ("", "Marc", "delete"):
        response = login(second, "en").post(url, {"confirmation": typed})
        assert response.status_code == 200
        assert response.context["form"].errors
    assert "Type the person" in login(second, "en").post(url, {"confirmation": "Marc"}).content.decode()
    assert Contact.objects.filter(pk=world.marc.pk).exists()
    assert not PrivacyAction.objects.exists()


def test_a_stale_preview_is_shown_again_before_erasing(world, second) -> None:
    url = reverse("people:erase_person", args=[world.marc.pk])
    seen = login(second).get(url).context["fingerprint"]
    RequestFactory(requester=world.marc, subject="Une nouvelle demande")
    response = login(second, "en").post(url, {"confirmation": "ERASE", "seen": seen})
    assert response.status_code == 200
    assert "changed since the preview" in response.content.decode()
    assert "Une nouvelle demande" in response.content.decode()
    assert Contact.objects.filter(pk=world.marc.pk).exists()


def test_a_person_whose_project_is_open_cannot_be_erased_until_it_is_closed(
    project, second, leader, member
) -> None:
    requester = project.request.requester
    url = reverse("people:erase_person", args=[requester.pk])
    page = html.unescape(login(second, "en").get(url).content.decode())
    assert "This person cannot be erased yet." in page
    assert f"“{project.request.subject}” is an open project led by Claire Dubois" in page
    assert 'name="confirmation"' not in page
    response = login(second, "en").post(url, {"confirmation": "ERASE"})
    assert response.status_code == 200
    assert Request.objects.filter(pk=project.request.pk, project__isnull=False).exists()
    assert not PrivacyAction.objects.exists()
    french = html.unescape(login(second).get(url).content.decode())
    assert "est un projet ouvert mené par Claire Dubois" in french

    project_close(actor=member, project=project, outcome="won", confirmed=True)
    login(second).post(url, {"confirmation": "effacer"})
    assert not Contact.objects.filter(pk=requester.pk).exists()
    assert not Request.objects.filter(pk=project.request.pk).exists()


def test_an_unknown_person_is_a_404(second) -> None:
    client = login(second)
    assert client.get(reverse("people:erase_person", args=[999999])).status_code == 404
    assert (
        client.post(reverse("people:erase_person", args=[999999]), {"confirmation": "ERASE"}).status_code
        == 404
    )
    assert client.post(reverse("people:export_person", args=[999999])).status_code == 404


# --- The export -------------------------------------------------------------------------------------


def test_the_export_is_a_zip_of_the_json_and_the_original_messages(world, second) -> None:
    response = login(second).post(reverse("people:export_person", args=[world.marc.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="person-{world.marc.pk}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    person = json.loads(archive.read("person.json"))
    assert person["person"]["email"] == "marc@client.example"
    assert [r["email"] for r in person["merged_records"]] == ["marc.lenoir@ancien.example"]
    assert {"m.lenoir@perso.example", "marc@client.example"} <= {i["value"] for i in person["identities"]}
    assert person["notes"] == [
        {
            "text": "Rencontré au salon de Lyon.",
            "author": "Samuel Petit",
            "written_at": person["notes"][0]["written_at"],
        }
    ]
    [request] = person["requests"]
    assert request["subject"] == "Refonte du site" and request["events"]
    assert [m["message_id"] for m in request["messages"]] == [
        "<first@client.example>",
        "<reply@client.example>",
    ]
    assert [m["message_id"] for m in person["other_messages"]] == ["<marc-in-zoe@client.example>"]
    assert request["mail_sent_by_the_hub"][0]["subject"] == "Accusé"
    # Each message points to its original, byte for byte as stored.
    for message in [*request["messages"], *person["other_messages"]]:
        stored = Message.objects.get(message_id=message["message_id"]).raw
        assert archive.read(message["file"]) == stored == world.originals[message["message_id"]]
    files = {a["name"]: a["file"] for a in request["messages"][0]["attachments"]}
    assert archive.read(files["devis.pdf"]) == QUOTE
    assert archive.read(files["plaquette.pdf"]) == BROCHURE
    # Audited: who exported whom and when, with counts and nothing personal.
    action = PrivacyAction.objects.get(action="export")
    assert (action.actor, action.person_id, action.counts["messages"]) == (second, world.marc.pk, 3)
    assert "marc" not in json.dumps(action.counts)


def test_the_export_is_a_post(world, second) -> None:
    assert login(second).get(reverse("people:export_person", args=[world.marc.pk])).status_code == 405
    assert not PrivacyAction.objects.exists()


# --- Who may ----------------------------------------------------------------------------------------


def test_only_the_leader_and_the_second_export_and_erase(project, leader, second, member, admin_user) -> None:
    requester = project.request.requester
    export = reverse("people:export_person", args=[requester.pk])
    erase = reverse("people:erase_person", args=[requester.pk])
    detail = reverse("people:detail", args=[requester.pk])
    # Claire leads the project: she sees the person, not the privacy gestures.
    assert login(member).get(detail).status_code == 200
    assert "Erase this person" not in login(member, "en").get(detail).content.decode()
    for user in (member, admin_user):
        client = login(user)
        assert client.post(export).status_code == 403
        assert client.get(erase).status_code == 403
        assert client.post(erase, {"confirmation": "ERASE"}).status_code == 403
    for user in (leader, second):
        page = login(user, "en").get(detail).content.decode()
        assert "Export everything" in page and "Erase this person" in page
        assert login(user).get(erase).status_code == 200
        assert login(user).post(export).status_code == 200
    assert Contact.objects.filter(pk=requester.pk).exists()
    assert PrivacyAction.objects.filter(action="export").count() == 2


def test_a_merged_record_leads_to_the_person_it_lives_in(world, second) -> None:
    response = login(second).get(reverse("people:erase_person", args=[world.old_record.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:erase_person", args=[world.marc.pk])


def test_no_personal_data_of_the_erased_person_stays_in_the_hub_tables(world, second) -> None:
    """Every table of the hub's own records, read as text: his addresses are nowhere left."""
    login(second).post(reverse("people:erase_person", args=[world.marc.pk]), {"confirmation": "ERASE"})
    mine = ("network", "circulation", "circle", "projects", "triage", "outbox", "people")
    for model in apps.get_models():
        if model._meta.app_label not in mine:
            continue
        dump = json.dumps(list(model.objects.values()), default=str).lower()
        for address in ("marc@client.example", "m.lenoir@perso.example", "marc.lenoir@ancien.example"):
            assert address not in dump, (model, address)
