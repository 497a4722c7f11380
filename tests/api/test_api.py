"""The REST API: tokens (hashed, shown once, scoped, revocable, rate limited), errors as JSON in the
caller's language, cursor pages, and gestures through the same services and checks as the screens."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cercle.api.models import ApiToken
from cercle.api.tokens import token_create
from cercle.circulation.models import Event, Request
from cercle.circulation.states import State
from tests.conftest import login
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


def client_for(user, scope: str = "write", language: str = "en") -> Client:
    secret = token_create(user=user, name="tool", scope=scope).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE=language)


def body(response) -> dict:
    return json.loads(response.content)


def test_a_token_is_shown_once_stored_hashed_and_listed_with_its_last_use(second) -> None:
    client = login(second, "en")
    page = client.post(reverse("api_tokens:tokens"), {"name": "Mon CRM", "scope": "read"}, follow=True)
    assert page.redirect_chain == [(reverse("api_tokens:tokens"), 302)]  # reloading it creates nothing
    secret = page.context["secret"]
    assert secret.startswith("crc_") and secret in page.content.decode()
    assert secret not in client.get(reverse("api_tokens:tokens")).content.decode()  # shown once
    assert not any(secret in str(v) for v in client.session.values())  # not kept, not in clear
    token = ApiToken.objects.get()
    assert (
        token.digest != secret
        and secret not in (token.digest, token.prefix)
        and secret.startswith(token.prefix)
    )
    again = login(second, "en").get(reverse("api_tokens:tokens")).content.decode()
    assert secret not in again and token.prefix in again  # never shown again
    assert token.last_used_at is None

    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/requests/")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_no_token_a_wrong_one_or_a_revoked_one_gets_401_in_json(second) -> None:
    assert body(Client().get("/api/v1/requests/"))["code"] == "unauthenticated"
    wrong = Client(HTTP_AUTHORIZATION="Bearer crc_nope").get("/api/v1/requests/")
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"] == "Bearer"
    made = token_create(user=second, name="x", scope="read")
    client = login(second, "en")
    page = client.get(reverse("api_tokens:tokens")).content.decode()
    assert f'data-confirm="Revoke “x” ({made.token.prefix}…)?' in page  # asked first: it cannot be undone
    done = client.post(reverse("api_tokens:revoke", args=[made.token.pk]), follow=True).content.decode()
    assert f"Token “x” ({made.token.prefix}…) revoked" in done  # which one, when two share a name
    revoked = Client(HTTP_AUTHORIZATION=f"Bearer {made.secret}").get("/api/v1/requests/")
    assert revoked.status_code == 401


def test_a_token_of_someone_gone_stops_working(second) -> None:
    made = token_create(user=second, name="x", scope="read")
    second.is_active = False
    second.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {made.secret}").get("/api/v1/requests/").status_code == 401


def test_a_read_only_token_cannot_act_and_nothing_changes(second, incoming) -> None:
    api = client_for(second, scope="read")
    response = api.post(f"/api/v1/requests/{incoming.pk}/keep", {}, content_type="application/json")
    assert response.status_code == 403 and body(response)["code"] == "read_only_token"
    incoming.refresh_from_db()
    assert incoming.state == State.RECEIVED


def test_a_gesture_calls_the_service_audited_and_roles_hold(second, incoming) -> None:
    api = client_for(second)
    kept = api.post(
        f"/api/v1/requests/{incoming.pk}/keep", {"note": "via API"}, content_type="application/json"
    )
    assert kept.status_code == 200, kept.content
    assert body(kept)["state"] == State.KEPT
    event = Event.objects.filter(request=incoming, to_state=State.KEPT).get()
    assert event.actor == second and event.note == "via API"
    # The second does not validate for the leader: the screens refuse it, so does the API.
    refused = api.post(f"/api/v1/requests/{incoming.pk}/approve", {}, content_type="application/json")
    assert refused.status_code == 403 and body(refused)["code"] == "forbidden"
    # A state that does not allow it: 409 with the service's message.
    again = api.post(f"/api/v1/requests/{incoming.pk}/keep", {}, content_type="application/json")
    assert again.status_code == 409 and body(again)["code"] in ("illegal_transition", "conflict")


def test_someone_acted_first_gives_409_and_changes_nothing(leader, incoming) -> None:
    Request.objects.filter(pk=incoming.pk).update(state=State.KEPT)
    api = client_for(leader)
    response = api.post(
        f"/api/v1/requests/{incoming.pk}/approve",
        {"expected_state": "received"},
        content_type="application/json",
    )
    assert response.status_code == 409 and body(response)["code"] == "conflict"
    assert Request.objects.get(pk=incoming.pk).state == State.KEPT


def test_a_member_sees_only_what_the_member_sees(member, second) -> None:
    mine = RequestFactory(lead=member, state=State.ACCEPTED)
    other = RequestFactory()
    listed = body(client_for(member).get("/api/v1/requests/"))
    assert [r["id"] for r in listed["items"]] == [mine.pk]
    assert client_for(member).get(f"/api/v1/requests/{other.pk}").status_code == 404
    assert client_for(member).get("/api/v1/dashboard/").status_code == 403
    assert {r["id"] for r in body(client_for(second).get("/api/v1/requests/"))["items"]} == {
        mine.pk,
        other.pk,
    }


def test_cursor_pages_walk_every_request_once_newest_first(second) -> None:
    now = timezone.now()
    made = [RequestFactory(received_at=now - timedelta(minutes=i % 3)) for i in range(7)]  # ties on dates
    api = client_for(second)
    seen, cursor = [], None
    while True:
        page = body(api.get("/api/v1/requests/", {"limit": 3, **({"cursor": cursor} if cursor else {})}))
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(r.pk for r in made) and len(seen) == len(set(seen))
    dates = [Request.objects.get(pk=pk).received_at for pk in seen]
    assert dates == sorted(dates, reverse=True)
    bad = api.get("/api/v1/requests/", {"cursor": "not-a-cursor"})  # not the documented pattern
    assert bad.status_code == 422 and "cursor" in body(bad)["fields"]


def test_errors_speak_the_callers_language_and_name_the_field(second) -> None:
    french = client_for(second, language="fr")
    response = french.post(
        "/api/v1/requests/",
        {"name": "Anne", "email": "pas-une-adresse", "need": "x"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert body(response)["code"] == "invalid" and "email" in body(response)["fields"]
    assert "champs" in body(response)["message"]
    assert body(response)["fields"] == {
        "email": ["Saisissez une adresse e-mail valide."],  # the field's detail in French too
    }
    missing = client_for(second, language="en").get("/api/v1/requests/999999")
    assert missing.status_code == 404 and body(missing)["code"] == "not_found"
    assert "Traceback" not in missing.content.decode()


def test_entering_a_request_is_the_manual_entry(second) -> None:
    api = client_for(second)
    response = api.post(
        "/api/v1/requests/",
        {
            "name": "Anne Roy",
            "email": "anne@roy.example",
            "need": "Un bilan carbone pour notre PME.",
            "language": "fr",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = Request.objects.get(pk=body(response)["id"])
    assert (
        created.channel == "manual"
        and created.state == State.KEPT
        and created.requester.email == "anne@roy.example"
    )
    assert body(response)["messages"][0]["text"] == "Un bilan carbone pour notre PME."


def test_each_token_has_its_rate_limit(second, settings) -> None:
    settings.CERCLE = {**settings.CERCLE, "API_RATE": "3/m"}
    from django.core.cache import cache

    cache.clear()
    api, other = client_for(second), client_for(second)
    codes = [api.get("/api/v1/requests/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert other.get("/api/v1/requests/").status_code == 200  # another token, its own budget
    limited = api.get("/api/v1/requests/")
    assert body(limited)["code"] == "rate_limited" and int(limited["Retry-After"]) >= 1


def test_the_openapi_description_and_the_docs_are_served_without_a_cdn(second) -> None:
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = body(schema)["paths"]
    assert "/api/v1/requests/" in paths and "/api/v1/requests/{request_id}/approve" in paths
    docs = Client().get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower() and "/static/" in docs


def test_dates_with_far_offsets_are_read_in_utc_and_impossible_ones_refused(second) -> None:
    api = client_for(second)
    RequestFactory(received_at=timezone.now())
    # −23:04 is a valid ISO offset that PostgreSQL would refuse: it is converted to UTC first.
    far = api.get("/api/v1/requests/", {"received_after": "2000-02-16T04:13:54.9-23:04"})
    assert far.status_code == 200 and len(body(far)["items"]) == 1
    overflow = api.get("/api/v1/requests/", {"received_before": "9999-12-31T23:59:00-23:00"})
    assert overflow.status_code == 422 and "received_before" in body(overflow)["fields"]


def test_a_very_long_company_domain_still_makes_a_contact(second) -> None:
    domain = ".".join(["a" * 55] * 4) + ".example"  # 228 characters: a valid address
    response = client_for(second).post(
        "/api/v1/requests/",
        {"name": "Anne", "email": f"anne@{domain}", "need": "Un besoin."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert len(Request.objects.get(pk=body(response)["id"]).requester.organisation) == 200


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            {
                "name": ["Ce champ est obligatoire."],
                "need": ["Au plus 20\u00a0000 caractères."],
                "keep": ["true ou false est attendu."],
                "deadline": ["Une date ou une date et heure ISO 8601 est attendue."],
            },
        ),
        (
            "en",
            {
                "name": ["This field is required."],
                "need": ["At most 20,000 characters."],
                "keep": ["true or false is expected."],
                "deadline": ["An ISO 8601 date or date-time is expected."],
            },
        ),
    ],
)
def test_each_field_s_detail_is_in_the_caller_s_language(second, language, expected) -> None:
    response = client_for(second, language=language).post(
        "/api/v1/requests/",
        {"email": "anne@roy.example", "need": "x" * 20001, "keep": 1, "deadline": 1767225600},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert body(response)["fields"] == expected
    assert not Request.objects.exists()


def test_a_nul_character_is_refused_before_any_service_sees_it(second) -> None:
    api = client_for(second)
    response = api.post(
        "/api/v1/requests/",
        {"name": "A\x00nne", "email": "anne@roy.example", "need": "Un besoin."},
        content_type="application/json",
    )
    assert response.status_code == 422 and body(response)["code"] == "invalid"
    assert not Request.objects.exists()
    query = api.get("/api/v1/requests/", {"q": "a\x00b"})
    assert query.status_code == 422 and "q" in body(query)["fields"]
