"""Mail attachments open from the request page: for those who may see the request, as downloads only."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils.html import escape

from cercle.circle import services as circle
from cercle.circle.models import Offer
from cercle.circulation import services
from cercle.circulation.models import Message, Request
from cercle.intake.services import message_ingest
from cercle.mail.attachments import AttachmentUnavailable, attachment_open, attachment_path
from cercle.mail.parse import parse_message
from tests.conftest import login
from tests.intake.mails import file_part, multipart, text_part

PDF = b"%PDF-1.4\n" + b"devis " * 400
PAGE = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
FRENCH_NAME = "Devis été 2027 – « Cercle ».pdf"


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def received(*parts: bytes, message_id: str = "<pj@client.example>", subject: str = "Pièces jointes"):
    """A mail with attachments, imported for real: it becomes a request with its message."""
    raw = multipart(
        [text_part("Bonjour, voir les pièces jointes."), *parts], message_id=message_id, subject=subject
    )
    result = message_ingest(parsed=parse_message(raw), raw=raw)
    request = Request.objects.get(pk=result.request_id)
    return request, request.messages.get()


def url(request: Request, message: Message, index: int) -> str:
    return reverse("intake:attachment", args=[request.pk, message.pk, index])


def offer_to(member, *, request, second, leader) -> None:
    services.request_keep(actor=second, request=request)
    services.request_approve(actor=leader, request=request)
    circle.request_route(actor=second, request=request, members=[member], brief="Pour toi")


def test_the_second_downloads_an_attachment_with_its_bytes_and_protective_headers(db, data_dir, second):
    request, message = received(file_part(PDF, filename=FRENCH_NAME))
    assert message.attachments[0]["name"] == FRENCH_NAME

    response = login(second).get(url(request, message, 0))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    # A non-ASCII French name goes out RFC 5987-encoded, whole.
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(FRENCH_NAME)}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"].split("; ")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "private" in response["Cache-Control"]


def test_an_ascii_name_is_quoted_as_is(db, data_dir, leader):
    request, message = received(
        file_part(b"a,b\r\n1,2\r\n", content_type="text/csv", filename="chiffres.csv")
    )
    response = login(leader).get(url(request, message, 0))
    assert response["Content-Disposition"] == 'attachment; filename="chiffres.csv"'
    assert response["Content-Type"] == "text/csv"


@pytest.mark.parametrize(
    ("data", "content_type", "filename"),
    [
        (PAGE, "text/html", "page.html"),
        (SVG, "image/svg+xml", "logo.svg"),
        (b"<?xml version='1.0'?><x/>", "application/xml", "data.xml"),
        (b"alert(1)", "application/javascript", "app.js"),
        (PAGE, "application/x-unknown", "mystere.bin"),
    ],
)
def test_active_content_is_served_as_an_opaque_download(db, data_dir, second, data, content_type, filename):
    request, message = received(file_part(data, content_type=content_type, filename=filename))
    assert message.attachments[0]["type"] == content_type

    response = login(second).get(url(request, message, 0))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == data


def test_the_member_offered_the_request_downloads_its_attachments(db, data_dir, second, leader, member):
    request, message = received(file_part(PDF))
    offer_to(member, request=request, second=second, leader=leader)
    response = login(member).get(url(request, message, 0))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_a_member_without_an_offer_gets_404(db, data_dir, second, leader, member, other_member, outsider):
    request, message = received(file_part(PDF))
    offer_to(member, request=request, second=second, leader=leader)
    for stranger in (other_member, outsider):
        response = login(stranger).get(url(request, message, 0))
        assert response.status_code == 404
        assert PDF not in response.content


def test_an_anonymous_visitor_is_sent_to_the_login_page(db, data_dir):
    from django.test import Client

    request, message = received(file_part(PDF))
    target = url(request, message, 0)
    response = Client().get(target)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={quote(target)}"


def test_a_wrong_index_or_a_message_of_another_request_is_404(db, data_dir, second):
    request, message = received(file_part(PDF))
    other_request, other_message = received(
        file_part(b"secret", content_type="text/plain", filename="autre.txt"),
        message_id="<autre@elsewhere.example>",
        subject="Une autre demande",
    )
    assert other_request.pk != request.pk
    client = login(second)

    assert client.get(url(request, message, 1)).status_code == 404
    assert client.get(url(request, message, 99)).status_code == 404
    # The second may see both requests, but a message is only served under its own request.
    assert client.get(url(request, other_message, 0)).status_code == 404
    assert client.get(url(other_request, message, 0)).status_code == 404
    assert client.get(url(other_request, other_message, 0)).status_code == 200
    # Nothing else is routed: a negative index never matches.
    assert client.get(f"/requests/{request.pk}/messages/{message.pk}/attachments/-1/").status_code == 404


def test_the_request_page_links_each_stored_attachment_with_its_size(db, data_dir, second):
    request, message = received(file_part(PDF, filename=FRENCH_NAME))
    page = login(second, language="en").get(reverse("circulation:detail", args=[request.pk])).content.decode()
    assert f'<a href="{url(request, message, 0)}">{escape(FRENCH_NAME)}</a>' in page
    assert "</a> · 2.4\xa0KB" in page  # filesizeformat of 2,409 bytes


def test_a_too_large_attachment_shows_why_on_the_page_and_is_not_served(db, data_dir, settings, second):
    settings.CERCLE = {**settings.CERCLE, "MAX_ATTACHMENT_BYTES": 1000}
    request, message = received(
        file_part(PDF, filename="gros-dossier.pdf"),
        file_part(b"petit", content_type="text/plain", filename="note.txt"),
    )
    big, small = message.attachments
    assert (big["stored"], big["reason"], small["stored"]) == (False, "too_large", True)
    client = login(second)  # French, like the app

    page = client.get(reverse("circulation:detail", args=[request.pk])).content.decode()
    line = page[page.index("gros-dossier.pdf") :].split("<br>")[0]
    assert "Taille maximale dépassée" in line
    assert "<a " not in page[page.index("📎") : page.index("gros-dossier.pdf")]
    assert url(request, message, 0) not in page
    assert f'<a href="{url(request, message, 1)}">note.txt</a>' in page

    response = client.get(url(request, message, 0))
    assert response.status_code == 404
    body = response.content.decode()
    assert "gros-dossier.pdf" in body and "Taille maximale dépassée" in body


def test_an_empty_attachment_says_so(db, data_dir, second):
    request, message = received(file_part(b"", content_type="text/plain", filename="vide.txt"))
    response = login(second, language="en").get(url(request, message, 0))
    assert response.status_code == 404
    assert "Empty file." in response.content.decode()


def test_a_file_gone_from_the_disk_answers_410_with_an_explanation_not_a_500(db, data_dir, second):
    request, message = received(file_part(PDF))
    attachment_path(message.attachments[0]["sha256"], root=data_dir / "attachments").unlink()
    response = login(second, language="en").get(url(request, message, 0))
    assert response.status_code == 410
    assert "missing from the server" in response.content.decode()
    # French first: the page explains itself in the app's language.
    french = login(second).get(url(request, message, 0)).content.decode()
    assert "Impossible de télécharger cette pièce jointe." in french
    assert "Le fichier est introuvable sur le serveur\xa0: seul le message d’origine" in french
    assert f"Retour à «\xa0{escape(request.subject)}\xa0»" in french


def test_a_forged_digest_never_becomes_a_path(db, data_dir, second):
    secret = data_dir / "secret.txt"
    secret.write_bytes(b"do not serve")
    request, message = received(file_part(PDF))
    message.attachments[0]["sha256"] = "../../secret.txt"
    message.save(update_fields=["attachments"])

    response = login(second, language="en").get(url(request, message, 0))
    assert response.status_code == 410
    assert b"do not serve" not in response.content

    with pytest.raises(AttachmentUnavailable):
        attachment_open({"stored": True, "sha256": "../" * 20 + "etc/passwd"}, root=data_dir)


def test_attachment_open_reads_the_content_addressed_file(data_dir):
    digest = hashlib.sha256(PDF).hexdigest()
    path = attachment_path(digest, root=data_dir)
    path.parent.mkdir(parents=True)
    path.write_bytes(PDF)
    with attachment_open({"stored": True, "sha256": digest}, root=data_dir) as handle:
        assert handle.read() == PDF
    with pytest.raises(AttachmentUnavailable) as not_stored:
        attachment_open({"stored": False, "reason": "too_large", "sha256": digest}, root=data_dir)
    assert not_stored.value.reason == "too_large"


def test_the_original_message_downloads_as_received_for_those_who_may_see_it(
    db, data_dir, second, member, other_member, leader
):
    request, message = received(file_part(PDF, filename="devis.pdf"))
    original = reverse("intake:message_original", args=[request.pk, message.pk])
    page = login(second, language="en").get(reverse("circulation:detail", args=[request.pk])).content.decode()
    assert f'href="{original}"' in page and "original (.eml)" in page

    response = login(second).get(original)
    assert response.status_code == 200
    assert response.content == message.raw
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="message-{message.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]

    assert login(member).get(original).status_code == 404  # not offered to her (yet)
    offer_to(member, request=request, second=second, leader=leader)
    # Offered, she reads the request; its original (every header, every address) once she leads it.
    assert login(member).get(original).status_code == 404
    circle.offer_accept(actor=member, offer=Offer.objects.get(request=request, member=member))
    assert login(member).get(original).status_code == 200
    assert login(other_member).get(original).status_code == 404
    _other, other_message = received(message_id="<other@client.example>", subject="Autre")
    wrong = reverse("intake:message_original", args=[request.pk, other_message.pk])
    assert login(second).get(wrong).status_code == 404


def test_a_message_that_did_not_come_by_mail_has_no_original(db, second):
    from cercle.intake.services import FormSubmission, request_submit_form

    request = request_submit_form(
        submission=FormSubmission(
            name="Anne", email="anne@client.example", organisation="", need="Un besoin", deadline=None,
            language="fr",
        )
    )  # fmt: skip
    message = request.messages.get()
    page = login(second).get(reverse("circulation:detail", args=[request.pk])).content.decode()
    assert "original.eml" not in page
    response = login(second).get(reverse("intake:message_original", args=[request.pk, message.pk]))
    assert response.status_code == 404
