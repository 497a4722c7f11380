"""Remote content never loads by default: a mail's images and styles from the internet (a tracking pixel
learns when and where it was read) load only once someone chose to, for that sender."""

from __future__ import annotations

import html

from django.urls import reverse

from cercle.circulation.models import Direction, Message
from cercle.intake.services import message_ingest
from cercle.mail.html import has_remote_content, mail_document
from cercle.mail.parse import parse_message
from cercle.network.models import Contact
from tests.conftest import login

PIXEL = "https://tracker.example/open.gif?u=42"


def newsletter(sender: str = "news@brand.example") -> bytes:
    return (
        f"From: Brand <{sender}>\r\nTo: lea@hub.example\r\nSubject: Nouveautés\r\n"
        "Message-ID: <img-only@brand.example>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n"
        f'<html><body><a href="https://brand.example/"><img src="{PIXEL}" alt=""></a></body></html>\r\n'
    ).encode()


def ingest(raw: bytes) -> Message:
    result = message_ingest(parsed=parse_message(raw), raw=raw, direction=Direction.INBOUND)
    return Message.objects.get(request_id=result.request_id)


def frame_policy(page: str) -> str:
    srcdoc = html.unescape(page.split('srcdoc="', 1)[1].split('"', 1)[0])
    return srcdoc.split('content="', 1)[1].split('"', 1)[0]


def test_the_frame_document_blocks_remote_content_unless_allowed():
    markup = f'<p style="background:url(https://x.example/bg.png)">Hi</p><img src="{PIXEL}">'
    assert has_remote_content(markup)
    assert not has_remote_content('<img src="cid:logo@x"><img src="data:image/png;base64,AAAA">')
    blocked = mail_document(markup)
    assert "img-src data: cid:;" in blocked and "https:" not in blocked.split(">", 1)[0]
    assert "img-src data: cid: https:" in mail_document(markup, remote_allowed=True)


def test_the_preview_and_the_request_page_load_no_remote_image(db, second):
    message = ingest(newsletter())
    assert message.html and not message.text
    client = login(second, "en")
    preview = client.get(reverse("triage:preview", args=[message.request_id]), HTTP_HX_REQUEST="true")
    detail = client.get(reverse("circulation:detail", args=[message.request_id]))
    for page in (preview.content.decode(), detail.content.decode()):
        assert frame_policy(page).startswith("default-src 'none'; img-src data: cid:;")
        assert "Images from the internet are not loaded" in page
        assert reverse("intake:remote_images_allow", args=[message.request_id, message.pk]) in page


def test_loading_images_for_a_sender_is_remembered(db, second):
    message = ingest(newsletter())
    client = login(second, "en")
    response = client.post(reverse("intake:remote_images_allow", args=[message.request_id, message.pk]))
    assert response.status_code == 302
    assert Contact.objects.get(email="news@brand.example").remote_images
    page = client.get(reverse("circulation:detail", args=[message.request_id])).content.decode()
    assert "https:" in frame_policy(page)
    assert "Images from the internet are not loaded" not in page


def test_a_member_cannot_allow_images(db, member):
    message = ingest(newsletter())
    response = login(member, "en").post(
        reverse("intake:remote_images_allow", args=[message.request_id, message.pk])
    )
    assert response.status_code in (403, 404)
    assert not Contact.objects.get(email="news@brand.example").remote_images
