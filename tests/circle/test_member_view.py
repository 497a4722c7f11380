"""What a member reads of a request offered to them: the whole request, not colleagues' decline reasons,
and the original .eml only once they lead the project."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cercle.circle import services as circle
from cercle.circle.models import Offer
from cercle.circulation import services as circulation
from cercle.circulation.models import Direction, Request
from cercle.intake.services import message_ingest
from cercle.mail.parse import parse_message
from tests.conftest import login
from tests.factories import MemberFactory
from tests.intake.mails import eml

REASON = "Je ne travaille plus avec ce client depuis notre différend"


@pytest.fixture
def offered(second, leader, member, other_member):
    raw = eml(message_id="<offer-me@client.example>", subject="Étude de marché")
    result = message_ingest(parsed=parse_message(raw), raw=raw, direction=Direction.INBOUND)
    request = Request.objects.get(pk=result.request_id)
    circulation.request_keep(actor=second, request=request)
    circulation.request_approve(actor=leader, request=request)
    third = MemberFactory(username="ines", first_name="Inès", last_name="Moreau")
    circle.request_route(actor=second, request=request, members=[member, other_member, third], brief="B")
    circle.offer_decline(actor=third, offer=Offer.objects.get(member=third), reason=REASON)
    return request


def test_a_member_with_a_pending_offer_reads_the_request_but_not_why_others_declined(offered, member, second):
    client = login(member, "en")
    card = client.get(reverse("circle:opportunities")).content.decode()
    detail = reverse("circulation:detail", args=[offered.pk])
    assert f'href="{detail}"' in card
    page = client.get(detail).content.decode()
    assert "Étude de marché" in page
    assert REASON not in page
    assert REASON in login(second, "en").get(detail).content.decode()


def test_the_original_eml_waits_until_the_member_leads(offered, member):
    message = offered.messages.get()
    original = reverse("intake:message_original", args=[offered.pk, message.pk])
    client = login(member, "en")
    assert original not in client.get(reverse("circulation:detail", args=[offered.pk])).content.decode()
    assert client.get(original).status_code == 404
    circle.offer_accept(actor=member, offer=Offer.objects.get(member=member))
    assert original in client.get(reverse("circulation:detail", args=[offered.pk])).content.decode()
    response = client.get(original)
    assert response.status_code == 200 and response["Content-Type"] == "message/rfc822"


def test_after_declining_the_request_is_no_longer_theirs_to_open(offered, other_member):
    circle.offer_decline(actor=other_member, offer=Offer.objects.get(member=other_member), reason="Pas dispo")
    # Declined: the request is no longer theirs to open at all.
    assert login(other_member).get(reverse("circulation:detail", args=[offered.pk])).status_code == 404
