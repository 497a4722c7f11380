"""Double opt-in introductions, thanks and the reciprocity ledger.

Léa (the leader, French) wants to meet Inès Roche (French). Paul Martin (English) knows her: the hub
asks Paul first, in English; on his yes Inès is asked, in French; on her yes the bridge mail introduces
Inès and Léa, Paul in copy. Each answer is a signed one-click link that works once.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from cercle.accounts.permissions import NotAllowed
from cercle.network.models import Contact
from cercle.outbox.models import OutgoingMessage
from cercle.people.introductions import services
from cercle.people.introductions.selectors import ledger_of
from cercle.people.models import Favour, FavourDirection, Introduction, IntroductionEvent, IntroductionState
from tests.conftest import login
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/network/introductions/answer/\S+/")


@pytest.fixture
def lea(leader):
    leader.offer_statement = "J'aide les PME à recruter leurs premiers cadres."
    leader.save(update_fields=["offer_statement"])
    return leader


@pytest.fixture
def paul(db) -> Contact:
    return ContactFactory(
        name="Paul Martin",
        email="paul@partner.example",
        language="en",
        in_network=True,
        organisation="Partner",
    )


@pytest.fixture
def ines(db) -> Contact:
    return ContactFactory(name="Inès Roche", email="ines@target.example", language="fr", in_network=True)


def links(outgoing: OutgoingMessage) -> tuple[str, str]:
    """The (yes, no) links of a mail, as paths for the test client."""
    yes, no = LINK.findall(outgoing.body)
    return urlsplit(yes).path, urlsplit(no).path


def ask(
    client, target: Contact, connector: Contact, beneficiary, purpose="Parler recrutement."
) -> Introduction:
    url = reverse("people:introduce", args=[target.pk])
    data = {"connector": connector.pk, "beneficiary": beneficiary.pk, "purpose": purpose, "action": "draft"}
    draft = client.post(url, data)
    assert draft.status_code == 200
    form = draft.context["form"]
    response = client.post(
        url, {**data, "action": "send", "subject": form["subject"].value(), "body": form["body"].value()}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Introduction.objects.get(target=target, connector=connector)


def mail_of(intro: Introduction, kind: str) -> OutgoingMessage:
    return IntroductionEvent.objects.get(introduction=intro, kind=kind).outgoing


def test_the_request_is_drafted_in_the_connectors_language_with_what_the_hub_offers(lea, paul, ines) -> None:
    client = login(lea)
    url = reverse("people:introduce", args=[ines.pk])
    draft = client.post(
        url, {"connector": paul.pk, "beneficiary": lea.pk, "purpose": "Talk hiring.", "action": "draft"}
    )
    body = draft.context["form"]["body"].value()
    assert "Hello Paul Martin" in body and "Inès Roche" in body and "Talk hiring." in body
    assert "What hub" not in body and lea.offer_statement in body  # the hub's offer, in return
    assert not Introduction.objects.exists() and not OutgoingMessage.objects.exists()  # a draft sends nothing


def test_both_yes_send_the_bridge_mail_with_the_connector_in_copy(lea, paul, ines) -> None:
    client = login(lea)
    intro = ask(client, ines, paul, lea)
    request = mail_of(intro, "asked_connector")
    assert request.to == ["Paul Martin <paul@partner.example>"]
    assert "Answer with one click" in request.body and lea.offer_statement in request.body
    yes, _no = links(request)

    anonymous = client.__class__()
    page = anonymous.get(yes)
    assert page.status_code == 200 and "Introduce us to Inès Roche?" in page.content.decode()
    intro.refresh_from_db()
    assert intro.state == IntroductionState.ASKING_CONNECTOR  # a GET never acts
    assert anonymous.post(yes).status_code == 200
    intro.refresh_from_db()
    assert intro.state == IntroductionState.ASKING_TARGET

    to_target = mail_of(intro, "asked_target")
    assert to_target.to == ["Inès Roche <ines@target.example>"]
    assert "Paul Martin propose de vous présenter Léa Marchand" in to_target.subject  # in French, hers
    assert "Répondez d'un clic" in to_target.body
    target_yes, _ = links(to_target)
    target_page = anonymous.get(target_yes)
    assert (
        target_page["Content-Language"] == "fr"
        and "Être présenté(e) à Léa Marchand" in target_page.content.decode()
    )
    anonymous.post(target_yes)
    intro.refresh_from_db()
    assert intro.state == IntroductionState.INTRODUCED
    bridge = mail_of(intro, "introduced")
    assert bridge.to == ["Inès Roche <ines@target.example>", "Léa Marchand <lea@hub.example>"]
    assert bridge.cc == ["Paul Martin <paul@partner.example>"]
    assert bridge.subject.startswith("Présentation")
    assert [e.kind for e in intro.events.all()] == [
        "asked_connector",
        "connector_accepted",
        "asked_target",
        "target_accepted",
        "introduced",
    ]
    # Visible on both profiles; and a thanks to Paul waits on his.
    assert (
        "Through Paul Martin to Inès Roche"
        in login(lea, "en").get(reverse("people:detail", args=[ines.pk])).content.decode()
    )
    paul_page = login(lea, "en").get(reverse("people:detail", args=[paul.pk])).content.decode()
    ledger = ledger_of(paul)
    assert (ledger.asked, ledger.received, ledger.introductions_by_them, ledger.given) == (1, 1, 1, 0)
    thanks = services.thanks_draft(favour=Favour.objects.get(contact=paul))
    assert "Many thanks for your help: an introduction to Inès Roche." in thanks.body  # in his English
    assert (
        "Through Paul Martin to Inès Roche" in paul_page
        and "Thank them for an introduction to Inès Roche" in paul_page
    )


def test_a_replayed_link_changes_nothing_and_says_so(lea, paul, ines) -> None:
    intro = ask(login(lea), ines, paul, lea)
    yes, no = links(mail_of(intro, "asked_connector"))
    client = login(lea).__class__()
    client.post(yes)
    count = OutgoingMessage.objects.count()
    again = client.post(yes)
    assert again.status_code == 409 and "already used" in again.content.decode()
    assert client.post(no).status_code == 409  # the other answer's link is spent too
    assert client.get(yes).status_code == 409
    intro.refresh_from_db()
    assert intro.state == IntroductionState.ASKING_TARGET and OutgoingMessage.objects.count() == count
    assert client.get(yes.replace("answer/", "answer/x")).status_code == 400  # altered


def test_a_target_who_declines_the_connector_and_the_hub_are_told_kindly(lea, second, paul, ines) -> None:
    intro = ask(login(second), ines, paul, lea)
    client = login(lea).__class__()
    client.post(links(mail_of(intro, "asked_connector"))[0])
    client.post(links(mail_of(intro, "asked_target"))[1])
    intro.refresh_from_db()
    assert intro.state == IntroductionState.TARGET_DECLINED
    kind = mail_of(intro, "target_declined")
    assert (
        kind.to == ["Paul Martin <paul@partner.example>"]
        and kind.subject == "Thank you for your help with Inès Roche"
    )
    told = OutgoingMessage.objects.filter(idempotency_key__startswith=f"introduction:{intro.pk}:declined-hub")
    assert sorted(m.to[0] for m in told) == [
        "Léa Marchand <lea@hub.example>",
        "Samuel Petit <samuel@hub.example>",
    ]
    assert all("pas cette fois" in m.subject for m in told)  # both read French
    assert not OutgoingMessage.objects.filter(idempotency_key=f"introduction:{intro.pk}:bridge").exists()


def test_a_connector_who_declines_ends_it_and_the_target_is_never_asked(lea, paul, ines) -> None:
    intro = ask(login(lea), ines, paul, lea)
    login(lea).__class__().post(links(mail_of(intro, "asked_connector"))[1])
    intro.refresh_from_db()
    assert intro.state == IntroductionState.CONNECTOR_DECLINED
    assert not OutgoingMessage.objects.filter(to__icontains="ines@target.example").exists()


def test_a_silent_connector_gets_one_reminder_then_the_introduction_expires(lea, paul, ines) -> None:
    intro = ask(login(lea), ines, paul, lea)
    yes, _ = links(mail_of(intro, "asked_connector"))
    start = intro.asked_at
    assert services.introductions_remind_and_expire(now=start + timedelta(days=2)).reminded == 0
    assert services.introductions_remind_and_expire(now=start + timedelta(days=6)).reminded == 1
    reminder = mail_of(intro, "reminded")
    assert reminder.subject.startswith("A gentle reminder") and reminder.to == [
        "Paul Martin <paul@partner.example>"
    ]
    assert "Answer with one click" in reminder.body
    # One reminder only, however often the worker runs.
    assert services.introductions_remind_and_expire(now=start + timedelta(days=8)) == services.SweepReport()
    report = services.introductions_remind_and_expire(now=start + timedelta(days=13))
    assert report.expired == 1
    intro.refresh_from_db()
    assert intro.state == IntroductionState.EXPIRED
    assert services.introductions_remind_and_expire(now=start + timedelta(days=14)) == services.SweepReport()
    late = login(lea).__class__().post(yes)
    assert late.status_code == 410 and "expired" in late.content.decode()


@pytest.mark.parametrize("case", ["oneself", "same", "erased"])
def test_an_introduction_that_makes_no_sense_is_refused_with_a_clear_message(lea, paul, ines, case) -> None:
    client = login(lea, "en")
    target, connector = ines, paul
    if case == "oneself":
        target = ContactFactory(name="Léa", email="lea@hub.example", in_network=True)
    elif case == "same":
        connector = ines
    with pytest.raises(services.IntroductionError):
        if case == "erased":
            gone = Contact(pk=paul.pk)
            paul.delete()
            connector = gone
        services.introduction_start(
            actor=lea, target=target, connector=connector, beneficiary=lea, purpose="x", subject="s", body="b"
        )
    page = client.post(
        reverse("people:introduce", args=[target.pk]),
        {"connector": connector.pk, "beneficiary": lea.pk, "purpose": "x", "action": "draft"},
    ).content.decode()
    expected = {
        "oneself": "Nobody needs an introduction to themselves",
        "same": "no longer in the network",  # the target is not offered as their own connector
        "erased": "no longer in the network (erased or merged)",
    }[case]
    assert expected in page
    assert not Introduction.objects.exists()


def test_the_ledger_counts_and_warns_before_asking_again_someone_the_hub_owes(lea, paul, ines) -> None:
    client = login(lea, "en")
    client.post(
        reverse("people:favour_add", args=[paul.pk]), {"direction": "received", "what": "a tip on a tender"}
    )
    client.post(
        reverse("people:favour_add", args=[paul.pk]),
        {"direction": "given", "what": "a review", "introduction": "on"},
    )
    ask(login(lea), ines, paul, lea)
    ledger = client.get(reverse("people:detail", args=[paul.pk])).context["intro"]["ledger"]
    assert (
        ledger.asked,
        ledger.given,
        ledger.received,
        ledger.introductions_by_them,
        ledger.introductions_for_them,
    ) == (1, 1, 1, 0, 1)
    assert ledger.hub_owes
    other = ContactFactory(name="Zoé Blanc", email="zoe@x.example", in_network=True)
    draft = client.post(
        reverse("people:introduce", args=[other.pk]),
        {"connector": paul.pk, "beneficiary": lea.pk, "purpose": "x", "action": "draft"},
    ).content.decode()
    assert "The hub owes Paul Martin: asked 1, received 1, given 1." in draft
    fresh = ContactFactory(name="Nora Vidal", email="nora@x.example", in_network=True)
    quiet = client.post(
        reverse("people:introduce", args=[other.pk]),
        {"connector": fresh.pk, "beneficiary": lea.pk, "purpose": "x", "action": "draft"},
    ).content.decode()
    assert "The hub owes" not in quiet


def test_thanks_are_sent_in_their_language_or_marked_done(lea, paul, ines) -> None:
    client = login(lea, "en")
    client.post(
        reverse("people:favour_add", args=[paul.pk]), {"direction": "received", "what": "a tip on a tender"}
    )
    client.post(
        reverse("people:favour_add", args=[ines.pk]), {"direction": "received", "what": "une relecture"}
    )
    to_paul, to_ines = Favour.objects.get(contact=paul), Favour.objects.get(contact=ines)
    page = client.get(reverse("people:favour_thank", args=[to_paul.pk]))
    form = page.context["form"]
    assert form.initial["subject"] == "Thank you, Paul Martin" and "a tip on a tender" in form.initial["body"]
    client.post(
        reverse("people:favour_thank", args=[to_paul.pk]),
        {
            "action": "send",
            "subject": form.initial["subject"],
            "body": form.initial["body"] + "\nP.S. merci !",
        },
    )
    sent = OutgoingMessage.objects.get(idempotency_key=f"thanks:{to_paul.pk}")
    assert sent.to == ["Paul Martin <paul@partner.example>"] and "P.S. merci" in sent.body
    assert (
        client.get(reverse("people:favour_thank", args=[to_ines.pk])).context["form"].initial["subject"]
        == "Merci, Inès Roche"
    )
    client.post(reverse("people:favour_thank", args=[to_ines.pk]), {"action": "mark"})
    to_paul.refresh_from_db(), to_ines.refresh_from_db()
    assert to_paul.thanked_at and to_ines.thanked_at and to_ines.thanks_outgoing is None
    assert not client.get(reverse("people:introductions")).context["thanks_due"]
    with pytest.raises(services.IntroductionError):  # twice: no second mail
        services.favour_thank(actor=lea, favour=to_paul, send=True, subject="s", body="b")


def test_the_leader_and_the_second_run_introductions_a_member_sees_only_theirs(
    lea, second, member, other_member, project, paul
) -> None:
    target = project.request.requester  # someone Claire's project lets her see
    for user in (member, other_member):
        assert login(user).get(reverse("people:introduce", args=[target.pk])).status_code == 403
    with pytest.raises(NotAllowed):
        services.introduction_start(
            actor=member,
            target=target,
            connector=paul,
            beneficiary=member,
            purpose="x",
            subject="s",
            body="b",
        )
    intro = ask(login(second), target, paul, member)  # made for Claire
    assert list(login(member).get(reverse("people:introductions")).context["introductions"]) == [intro]
    assert not login(other_member).get(reverse("people:introductions")).context["introductions"]
    claire_page = login(member, "en").get(reverse("people:detail", args=[target.pk])).content.decode()
    assert "Through Paul Martin" in claire_page and "Introduce me" not in claire_page
    assert "Record a help" not in claire_page


def test_export_includes_and_erase_removes_the_introductions(lea, second, paul, ines) -> None:
    intro = ask(login(lea), ines, paul, lea)
    services.favour_record(actor=lea, contact=paul, direction=FavourDirection.GIVEN, what="a review")
    response = login(second).post(reverse("people:export_person", args=[paul.pk]))
    person = json.loads(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("person.json"))
    [exported] = person["introductions"]
    assert (exported["role"], exported["target"], exported["purpose"]) == (
        "connector",
        "Inès Roche",
        intro.purpose,
    )
    assert exported["steps"][0]["kind"] == "asked_connector"
    assert person["favours"][0]["what"] == "a review"
    login(second).post(reverse("people:erase_person", args=[paul.pk]), {"confirmation": "ERASE"})
    assert not Contact.objects.filter(pk=paul.pk).exists()
    assert (
        not Introduction.objects.exists()
        and not IntroductionEvent.objects.exists()
        and not Favour.objects.exists()
    )
    assert Contact.objects.filter(pk=ines.pk).exists()
