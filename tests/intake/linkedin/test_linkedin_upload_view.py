"""The upload page: triage roles only, CSRF, clear errors that change nothing, the summary after import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cercle.circulation.models import Request
from cercle.intake.linkedin import forms
from cercle.network.models import Contact, Interaction
from tests.conftest import login
from tests.intake.linkedin import builders as b

URL = reverse("intake:linkedin_import")


def _upload(data: bytes, name: str = "export.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def _export() -> bytes:
    return b.zip_bytes(
        {
            "Profile.csv": b.profile(),
            "Connections.csv": b.NOTES
            + b.CONNECTIONS_HEADER
            + "\nMarc,Durand,https://www.linkedin.com/in/marc-durand,,Durand & Fils,Gérant,15 Jan 2024\n",
            "messages.csv": b.messages(
                b.from_marc("c1", b.ago(200), "Bonjour Léa, un vieux message."),
                b.from_marc("c2", b.ago(3), "Bonjour Léa, nous avons besoin d'aide pour un projet."),
                [
                    "c3",
                    "",
                    "Marc Durand",
                    b.MARC_URL,
                    b.OWNER,
                    b.OWNER_URL,
                    "hier",
                    "",
                    "Date illisible",
                    "INBOX",
                    "",
                ],
            ),
        }
    )


def _nothing_created() -> bool:
    return not (Contact.objects.exists() or Interaction.objects.exists() or Request.objects.exists())


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.post(URL, {"export": _upload(_export()), "since_days": 90})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert _nothing_created()


@pytest.mark.parametrize("persona", ["member", "admin_user"])
def test_a_member_or_the_admin_cannot_open_or_post_the_import(request, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"export": _upload(_export()), "since_days": 90}).status_code == 403
    assert _nothing_created()


def test_the_second_sees_the_link_and_the_form(second, member):
    page = login(second).get(URL)
    assert page.status_code == 200
    assert f'href="{URL}"' in page.content.decode()
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert f'href="{URL}"' not in login(member).get(reverse("circle:opportunities")).content.decode()


def test_the_second_imports_an_export_and_sees_the_summary(second):
    response = login(second, language="en").post(URL, {"export": _upload(_export()), "since_days": 90})
    assert response.status_code == 200
    page = response.content.decode()
    summary = response.context["summary"]
    assert summary.counts["requests_created"] == 1
    assert summary.counts["messages_before_cutoff"] == 1
    assert summary.counts["contacts_created"] == 1
    assert summary.skipped == [("messages.csv:4", "unreadable date “hier”")]
    assert 'id="count-requests_created"' in page
    assert "unreadable date" in page
    assert "owner: Léa Marchand" in page
    request = Request.objects.get()
    assert request.channel == "linkedin"
    assert request.requester.linkedin_url == b.MARC_URL


def test_the_leader_chooses_the_cut_off(leader):
    login(leader).post(URL, {"export": _upload(_export()), "since_days": 365})
    assert Request.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "name", "error"),
    [
        (b"%PDF-1.4 not a zip", "export.pdf", "This is not a ZIP file"),
        (b.zip_bytes({"Positions.csv": "Company Name,Title\n"}), "other.zip", "No LinkedIn file found"),
    ],
)
def test_a_bad_file_gives_an_error_and_creates_nothing(second, data, name, error):
    response = login(second, language="en").post(URL, {"export": _upload(data, name), "since_days": 90})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert _nothing_created()


def test_a_file_over_the_size_cap_is_refused_before_reading(second, monkeypatch):
    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 100)
    response = login(second, language="en").post(URL, {"export": _upload(_export()), "since_days": 90})
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert _nothing_created()


def test_a_missing_file_or_a_negative_cut_off_is_a_form_error(second):
    client = login(second)
    assert client.post(URL, {"since_days": 90}).status_code == 400
    assert client.post(URL, {"export": _upload(_export()), "since_days": -1}).status_code == 400
    assert _nothing_created()


def test_the_upload_needs_the_csrf_token(second):
    client = Client(enforce_csrf_checks=True)
    client.force_login(second)
    assert client.post(URL, {"export": _upload(_export()), "since_days": 90}).status_code == 403
    assert _nothing_created()
