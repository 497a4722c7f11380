"""When a project's outcome is recorded, the leader hears of it by mail, in the leader's language, with
its value: written in the transaction that records it, audited, once per closing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone, translation

from cercle.circulation import services as circulation
from cercle.circulation.errors import TransitionConflict
from cercle.circulation.models import Event, EventKind, Request
from cercle.core.templatetags.cercle import money
from cercle.outbox.models import OutgoingMessage
from cercle.projects import services


def _notices(project) -> list[OutgoingMessage]:
    return list(
        OutgoingMessage.objects.filter(
            request_id=project.request_id, idempotency_key__startswith="outcome:"
        ).order_by("id")
    )


@pytest.mark.parametrize(
    ("language", "subject", "sentence", "value"),
    [
        # A header is one line of plain spaces (outbox.services._one_line): no no-break space in the subject.
        ("fr", "Projet gagné\u00a0: ", "Claire Dubois a enregistré l'issue du projet", "gagné, pour {}."),
        ("en", "Project won: ", "Claire Dubois has recorded the outcome of the project", "won, for {}."),
    ],
)
def test_the_leader_hears_that_a_project_was_won_and_for_how_much(
    project, member, leader, language, subject, sentence, value
):
    leader.language = language
    leader.save(update_fields=["language"])
    services.project_close(
        actor=member, project=project, outcome="won", value=Decimal("4500"), note="Signed!", confirmed=True
    )
    [notice] = _notices(project)
    assert notice.to == ["Léa Marchand <lea@hub.example>"]
    assert notice.subject == subject + project.request.subject
    assert sentence in notice.body and "Signed!" in notice.body
    with translation.override(language):  # "4 500 €" for a French reader, "€4,500" for an English one
        assert value.format(money(Decimal("4500"))) in notice.body
    assert notice.reply_to == ["Claire Dubois <claire@hub.example>"]  # answering it reaches the lead
    audit = Event.objects.get(request_id=project.request_id, kind=EventKind.MAIL, outgoing=notice)
    assert audit.actor == member


@pytest.mark.parametrize(("outcome", "word"), [("lost", "Project lost"), ("no_go", "Project abandoned")])
def test_a_lost_or_abandoned_project_is_told_too(project, member, leader, outcome, word):
    leader.language = "en"
    leader.save(update_fields=["language"])
    services.project_close(actor=member, project=project, outcome=outcome, confirmed=True)
    [notice] = _notices(project)
    assert notice.subject.startswith(word)
    assert ", for " not in notice.body  # no value given, none written


def test_the_leader_who_records_it_gets_no_notice_the_second_s_record_is_told(project, leader, second):
    services.project_close(actor=leader, project=project, outcome="won", confirmed=True)
    assert Request.objects.get(pk=project.request_id).outcome == "won"
    assert _notices(project) == []  # the leader knows already
    circulation.request_reopen(actor=leader, request=Request.objects.get(pk=project.request_id))
    project.request.refresh_from_db()
    services.project_close(actor=second, project=project, outcome="lost", confirmed=True)
    [notice] = _notices(project)
    assert notice.body.startswith("Bonjour Léa Marchand,\n\nSamuel Petit a enregistré")


def test_a_refused_closing_sends_nothing_the_confirmed_one_sends_one(project, member):
    with pytest.raises(services.CloseNeedsConfirmation):
        services.project_close(actor=member, project=project, outcome="won")
    with pytest.raises(TransitionConflict):  # a stale page: someone acted on it meanwhile
        services.project_close(
            actor=member, project=project, outcome="won", expected_state="kicked_off", confirmed=True
        )
    assert _notices(project) == []
    services.project_close(actor=member, project=project, outcome="won", confirmed=True)
    assert len(_notices(project)) == 1


def test_reopened_and_closed_again_it_is_a_new_outcome_and_a_new_notice(project, member, leader):
    project.checklist.update(done_at=timezone.now())
    services.project_close(actor=member, project=project, outcome="lost")
    circulation.request_reopen(actor=member, request=Request.objects.get(pk=project.request_id))
    project.request.refresh_from_db()
    services.project_close(actor=member, project=project, outcome="won", value=Decimal("1200"))
    first, second = _notices(project)
    assert first.subject.startswith("Projet perdu")
    assert second.subject.startswith("Projet gagné")
