"""Exports: requests and projects as CSV and JSON, the first meetings as iCalendar; from the screens,
the API and `cercle export`; what each person sees; streamed in a bounded number of queries."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import icalendar
import pytest
from django.core.management import CommandError, call_command
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cercle.api.tokens import token_create
from cercle.circulation.models import Request
from cercle.circulation.states import State
from cercle.core.spreadsheet import BOM, cell
from cercle.projects.models import Project
from tests.conftest import login
from tests.factories import ContactFactory, RequestFactory

pytestmark = pytest.mark.django_db

REQUEST_KEYS = [
    "id",
    "subject",
    "state",
    "channel",
    "language",
    "received_at",
    "state_changed_at",
    "deadline",
    "requester_name",
    "requester_email",
    "requester_organisation",
    "lead",
    "outcome",
    "outcome_value",
    "lead_kind",
]
PROJECT_KEYS = [
    "id",
    "request_id",
    "subject",
    "state",
    "lead",
    "team",
    "first_meeting_at",
    "created_at",
    "outcome",
    "outcome_value",
]


def content(response) -> str:
    assert isinstance(response, StreamingHttpResponse), "an export is streamed"
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))


def api_client(user) -> Client:
    secret = token_create(user=user, name="export", scope="read").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("export", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def hub(member, other_member):
    """Three requests: one led by the member (a project with a first meeting), one led by a colleague,
    one only received."""
    now = timezone.now()
    mine = RequestFactory(
        subject="Bilan carbone de l'usine",
        state=State.CLOSED,
        lead=member,
        outcome="won",
        outcome_value=Decimal("12500.50"),
        received_at=now - timedelta(days=3),
        requester=ContactFactory(name="Zoé Client", email="zoe@client.example", organisation="Atelier Zoé"),
    )
    theirs = RequestFactory(
        subject="Stratégie export",
        state=State.KICKED_OFF,
        lead=other_member,
        received_at=now - timedelta(days=2),
    )
    fresh = RequestFactory(subject="Formation achats", received_at=now - timedelta(days=1))
    meeting = now.replace(microsecond=0) + timedelta(days=5)
    my_project = Project.objects.create(
        request=mine,
        lead=member,
        first_meeting_at=meeting,
        meeting_uid="first-meeting-x-abc@hub.example",
        meeting_sequence=2,
    )
    their_project = Project.objects.create(request=theirs, lead=other_member, first_meeting_at=meeting)
    their_project.team.add(member.__class__.objects.get(pk=other_member.pk))
    return {
        "mine": mine,
        "theirs": theirs,
        "fresh": fresh,
        "my_project": my_project,
        "their_project": their_project,
    }


# --- Requests -------------------------------------------------------------------------------------


def test_requests_csv_download_has_stable_keys_a_bom_and_every_request_newest_first(second, hub) -> None:
    response = login(second, "en").get(reverse("api_tokens:export_requests"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="requests-')
    text = content(response)
    assert text.startswith(BOM)  # for spreadsheet apps
    assert next(csv.reader(io.StringIO(text.removeprefix(BOM)))) == REQUEST_KEYS
    rows = csv_rows(text)
    assert [r["subject"] for r in rows] == [
        "Formation achats",
        "Stratégie export",
        "Bilan carbone de l'usine",
    ]
    won = rows[2]
    assert (won["requester_name"], won["requester_email"], won["requester_organisation"]) == (
        "Zoé Client",
        "zoe@client.example",
        "Atelier Zoé",
    )
    assert (won["state"], won["lead"], won["outcome"], won["outcome_value"]) == (
        "closed",
        "Claire Dubois",
        "won",
        "12500.50",
    )
    assert won["id"] == str(hub["mine"].pk)
    assert won["received_at"] == hub["mine"].received_at.isoformat(timespec="seconds")


def test_requests_json_is_one_valid_array_of_the_api_lists_items(second, hub) -> None:
    text = content(login(second).get(reverse("api_tokens:export_requests"), {"format": "json"}))
    items = json.loads(text)
    listed = json.loads(api_client(second).get("/api/v1/requests/").content)["items"]
    assert items == listed  # the same items, keys and types as the API list
    assert items[2]["requester"]["organisation"] == "Atelier Zoé"
    assert (
        json.loads(
            content(
                login(second).get(reverse("api_tokens:export_requests"), {"format": "json", "q": "nothing"})
            )
        )
        == []
    )


def test_the_lists_filters_apply_to_the_export(second, hub) -> None:
    client = login(second)
    url = reverse("api_tokens:export_requests")
    by_state = csv_rows(content(client.get(url, {"state": "kicked_off"})))
    assert [r["subject"] for r in by_state] == ["Stratégie export"]
    by_words = csv_rows(content(client.get(url, {"q": "carbone usine"})))
    assert [r["subject"] for r in by_words] == ["Bilan carbone de l'usine"]
    since = (timezone.now() - timedelta(hours=36)).isoformat()
    assert [r["subject"] for r in csv_rows(content(client.get(url, {"received_after": since})))] == [
        "Formation achats"
    ]
    assert client.get(url, {"state": "lost-in-space"}).status_code == 400
    assert client.get(url, {"format": "xlsx"}).status_code == 400


def test_a_member_exports_only_what_they_see(member, hub) -> None:
    client = login(member)
    requests = csv_rows(content(client.get(reverse("api_tokens:export_requests"))))
    assert [r["subject"] for r in requests] == ["Bilan carbone de l'usine"]
    projects = csv_rows(content(client.get(reverse("api_tokens:export_projects"))))
    assert [p["request_id"] for p in projects] == [str(hub["mine"].pk)]
    calendar = icalendar.Calendar.from_ical(content(client.get(reverse("api_tokens:export_meetings"))))
    assert [str(e["uid"]) for e in calendar.walk("VEVENT")] == ["first-meeting-x-abc@hub.example"]


def test_signed_out_is_sent_to_sign_in(hub) -> None:
    response = Client().get(reverse("api_tokens:export_requests"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_formula_injection_is_neutralised_in_every_csv(second) -> None:
    RequestFactory(
        subject='=HYPERLINK("http://evil.example","clic")',
        requester=ContactFactory(name="+SUM(A1:A9)", organisation="@cmd|' /C calc'!A0"),
    )
    [row] = csv_rows(content(login(second).get(reverse("api_tokens:export_requests"))))
    assert row["subject"] == '\'=HYPERLINK("http://evil.example","clic")'
    assert row["requester_name"] == "'+SUM(A1:A9)"
    assert row["requester_organisation"] == "'@cmd|' /C calc'!A0"
    # The network's contacts CSV shares the helper; a telephone number is no formula and stays as it is.
    assert (cell("-2+3"), cell("\t=1"), cell("+33 6 12 34 56 78"), cell(-5), cell(None)) == (
        "'-2+3",
        "'\t=1",
        "+33 6 12 34 56 78",
        -5,
        "",
    )


# --- Projects and meetings --------------------------------------------------------------------------


def test_projects_as_csv_and_json_with_their_team_and_filters(second, hub, other_member) -> None:
    client = login(second)
    url = reverse("api_tokens:export_projects")
    text = content(client.get(url, {"format": "csv"}))
    assert next(csv.reader(io.StringIO(text.removeprefix(BOM)))) == PROJECT_KEYS
    rows = {r["request_id"]: r for r in csv_rows(text)}
    theirs = rows[str(hub["theirs"].pk)]
    assert (theirs["lead"], theirs["team"], theirs["state"]) == ("Karim Benali", "Karim Benali", "kicked_off")
    mine = rows[str(hub["mine"].pk)]
    assert (mine["outcome"], mine["outcome_value"]) == ("won", "12500.50")
    items = json.loads(content(client.get(url, {"format": "json"})))
    assert items == json.loads(api_client(second).get("/api/v1/projects/").content)
    won = json.loads(content(client.get(url, {"format": "json", "outcome": "won"})))
    assert [p["request_id"] for p in won] == [hub["mine"].pk]


def test_meetings_are_one_calendar_with_stable_uids_and_no_addresses(second, hub) -> None:
    response = login(second, "en").get(reverse("api_tokens:export_meetings"))
    assert response["Content-Type"].startswith("text/calendar")
    text = content(response)
    calendar = icalendar.Calendar.from_ical(text)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    fallback = f"first-meeting-{hub['their_project'].pk}@"
    assert "first-meeting-x-abc@hub.example" in events  # the invitations' UID: calendars update that event
    [derived] = [uid for uid in events if uid.startswith(fallback)]
    again = icalendar.Calendar.from_ical(content(login(second).get(reverse("api_tokens:export_meetings"))))
    assert derived in {str(e["uid"]) for e in again.walk("VEVENT")}  # the same on every export
    mine = events["first-meeting-x-abc@hub.example"]
    assert str(mine["summary"]) == "First meeting: Bilan carbone de l'usine"
    assert mine.decoded("dtstart") == hub["my_project"].first_meeting_at
    assert mine.decoded("dtend") - mine.decoded("dtstart") == timedelta(hours=1)
    assert int(mine["sequence"]) == 2
    assert "Zoé Client (Atelier Zoé)" in str(mine["description"])
    assert "ATTENDEE" not in text and "zoe@client.example" not in text


def test_a_meeting_summary_follows_the_language_of_the_page(second, hub) -> None:
    calendar = icalendar.Calendar.from_ical(
        content(login(second, "fr").get(reverse("api_tokens:export_meetings")))
    )
    summaries = {str(e["summary"]) for e in calendar.walk("VEVENT")}
    assert "Première réunion\u00a0: Bilan carbone de l'usine" in summaries


# --- The API -------------------------------------------------------------------------------------


def test_the_api_exports_with_the_declared_content_types(second, member, hub) -> None:
    client = api_client(second)
    as_csv = client.get("/api/v1/exports/requests", {"format": "csv", "state": "closed"})
    assert as_csv["Content-Type"].startswith("text/csv")
    text = content(as_csv)
    assert not text.startswith(BOM)  # read by programs
    assert [r["subject"] for r in csv_rows(text)] == ["Bilan carbone de l'usine"]
    as_json = client.get("/api/v1/exports/projects", {"format": "json"})
    assert as_json["Content-Type"] == "application/json"
    assert len(json.loads(content(as_json))) == 2
    ics = api_client(member).get("/api/v1/exports/meetings.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    assert len(icalendar.Calendar.from_ical(content(ics)).walk("VEVENT")) == 1
    wrong = client.get("/api/v1/exports/requests", {"format": "xml"})
    assert wrong.status_code in (400, 422) and "code" in json.loads(wrong.content)
    assert Client().get("/api/v1/exports/requests").status_code == 401


def test_the_description_declares_each_exports_content_types() -> None:
    from cercle.api.api import api

    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    assert set(paths["/api/v1/exports/requests"]["get"]["responses"][200]["content"]) == {
        "application/json",
        "text/csv",
    }
    assert set(paths["/api/v1/exports/meetings.ics"]["get"]["responses"][200]["content"]) == {"text/calendar"}
    names = {p["name"] for p in paths["/api/v1/exports/requests"]["get"]["parameters"]}
    assert names == {"state", "channel", "received_after", "received_before", "q", "format"}  # no pages


# --- The command line -------------------------------------------------------------------------------


def test_cercle_export_requests_sees_everything_and_filters(hub) -> None:
    rows = csv_rows(command("requests"))
    assert len(rows) == 3 and list(rows[0]) == REQUEST_KEYS
    assert not command("requests").startswith(BOM)
    assert [r["subject"] for r in csv_rows(command("requests", "--state", "kicked_off"))] == [
        "Stratégie export"
    ]
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert [r["subject"] for r in csv_rows(command("requests", "--since", since))] == ["Formation achats"]
    items = json.loads(command("requests", "--format", "json", "--channel", "mail"))
    assert len(items) == 3 and items[0]["subject"] == "Formation achats"
    with pytest.raises(CommandError):
        command("requests", "--state", "nowhere")
    with pytest.raises(CommandError):
        command("requests", "--since", "05/12/2026")
    with pytest.raises(CommandError):
        command("requests", "--format", "vcard")


def test_cercle_export_projects_and_meetings(hub) -> None:
    assert len(csv_rows(command("projects"))) == 2
    won = json.loads(command("projects", "--format", "json", "--outcome", "won"))
    assert [p["request_id"] for p in won] == [hub["mine"].pk]
    calendar = icalendar.Calendar.from_ical(command("meetings"))
    assert len(calendar.walk("VEVENT")) == 2
    with pytest.raises(CommandError):
        command("contacts", "--format", "json")
    with pytest.raises(CommandError):
        command("meetings", "--state", "closed")


# --- Large hubs: streamed, a bounded number of queries --------------------------------------------


def test_two_thousand_requests_stream_in_a_few_queries(leader, django_assert_max_num_queries) -> None:
    requester = ContactFactory()
    now = timezone.now()
    Request.objects.bulk_create(
        [
            Request(
                subject=f"Demande {i}",
                requester=requester,
                received_at=now - timedelta(minutes=i),
                lead=leader,
            )
            for i in range(2000)
        ]
    )
    client = login(leader)
    for fmt in ("csv", "json"):
        with django_assert_max_num_queries(4):  # session, user, the rows (select_related, one cursor)
            response = client.get(reverse("api_tokens:export_requests"), {"format": fmt})
            text = content(response)
        assert isinstance(response, StreamingHttpResponse)
    assert len(json.loads(text)) == 2000
    with django_assert_max_num_queries(4):
        rows = csv_rows(content(client.get(reverse("api_tokens:export_requests"))))
    assert len(rows) == 2000 and rows[0]["subject"] == "Demande 0" and rows[0]["lead"] == leader.display_name


def test_projects_take_one_team_query_per_chunk_not_per_project(
    leader, member, django_assert_max_num_queries
) -> None:
    requester = ContactFactory()
    requests = Request.objects.bulk_create(
        [Request(subject=f"P{i}", requester=requester, state=State.KICKED_OFF) for i in range(1200)]
    )
    projects = Project.objects.bulk_create([Project(request=r, lead=leader) for r in requests])
    Project.team.through.objects.bulk_create([Project.team.through(project=p, user=member) for p in projects])
    client = login(leader)
    with django_assert_max_num_queries(7):  # session, user, the rows, a team prefetch per 500 (3)
        rows = csv_rows(content(client.get(reverse("api_tokens:export_projects"))))
    assert len(rows) == 1200 and {r["team"] for r in rows} == {member.display_name}
