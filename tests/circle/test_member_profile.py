"""A member's profile for routing, edited by the member or the second; another member cannot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cercle.circle.models import MemberProfile
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _form(**changes: object) -> dict[str, object]:
    return {
        "headline_fr": "",
        "headline_en": "",
        "offers": "",
        "skills": "",
        "languages": "fr",
        "capacity": 3,
        "unavailable_until": "",
        **changes,
    }


def test_a_member_says_what_they_offer_and_when_they_are_away(member) -> None:
    back = timezone.localdate() + timedelta(days=20)
    client = login(member)
    response = client.post(
        reverse("circle:profile"),
        _form(offers="Bilans carbone", languages="FR; en", unavailable_until=back.isoformat(), capacity=2),
    )
    assert response.status_code == 302
    profile = MemberProfile.objects.get(user=member)
    assert (profile.offers, profile.languages, profile.capacity, profile.unavailable_until) == (
        "Bilans carbone",
        "fr, en",
        2,
        back,
    )
    assert "Mon profil" in client.get(reverse("circle:profile")).content.decode()


def test_the_second_edits_a_member_s_profile_and_another_member_cannot(second, member, other_member) -> None:
    url = reverse("circle:member_profile", args=[member.pk])
    assert login(second).post(url, _form(skills="facilitation")).status_code == 302
    assert MemberProfile.objects.get(user=member).skills == "facilitation"
    assert login(other_member).post(url, _form(skills="piratage")).status_code == 403
    assert MemberProfile.objects.get(user=member).skills == "facilitation"


def test_bad_input_is_refused_with_a_clear_message_and_nothing_lost(member) -> None:
    client = login(member)
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = client.post(
        reverse("circle:profile"),
        _form(offers="Texte gardé", languages="fr, klingon", unavailable_until=past),
    ).content.decode()
    assert "Code de langue inconnu\u00a0: klingon" in page
    assert "Cette date est passée" in page
    assert "Texte gardé" in page
    assert MemberProfile.objects.get(user=member).offers != "Texte gardé"
