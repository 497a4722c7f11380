"""LinkedIn's "X sent you a message" e-mails (EN and FR): the requester is X, not LinkedIn's no-reply box."""

from __future__ import annotations

from cercle.circulation.models import Channel, Request
from cercle.intake.services import message_ingest
from cercle.mail.linkedin_notice import recognise
from cercle.mail.parse import parse_message
from cercle.network.models import Contact, Interaction
from tests.intake.mails import multipart, text_part

PROFILE = "https://www.linkedin.com/comm/in/jean-dupont-4a5b6c?midToken=AQGx&trk=eml-email_message_01-header-0-profile"
THREAD = "https://www.linkedin.com/comm/messaging/thread/2-ZjE3YTA4NjEtNjRhNi00==/?lipi=urn%3Ali%3Apage"


def notification_en(
    message_id: str = "<li-1@linkedin.com>",
    body: str = "Bonjour Léa, nous cherchons un accompagnement pour notre transformation.",
) -> bytes:
    text = (
        "Jean Dupont\r\nDirecteur général chez Acme\r\n\r\n"
        f"{body}\r\n\r\n"
        f"Reply\r\n{THREAD}\r\n\r\nView profile: {PROFILE}\r\n\r\n"
        "This email was intended for Léa Marchand (Leader at Cercle)\r\n"
        "You are receiving LinkedIn notification emails.\r\n"
    )
    html = (
        '<table><tr><td><a href="https://www.linkedin.com/comm/in/lea-marchand?trk=footer">Léa</a></td></tr>'
        f'<tr><td><a href="{PROFILE}"><img src="https://media.licdn.com/x.jpg" alt=""></a>'
        f'<a href="{PROFILE}">Jean Dupont</a><p>Directeur général chez Acme</p>'
        f"<p>{body}</p>"
        f'<a href="{THREAD}">Reply</a></td></tr></table>'
    )
    return multipart(
        [text_part(text), text_part(html, subtype="html")],
        subtype="alternative",
        sender="Jean Dupont via LinkedIn <messages-noreply@linkedin.com>",
        subject="Jean Dupont sent you a message",
        message_id=message_id,
    ).replace(
        b"MIME-Version: 1.0\r\n",
        b"MIME-Version: 1.0\r\nList-Unsubscribe: <https://www.linkedin.com/comm/psettings/email-unsubscribe>\r\nX-LinkedIn-Class: INBOX-MESSAGE\r\n",
        1,
    )


def notification_fr(
    subject: str, message_id: str, sender: str = "LinkedIn <messaging-digest-noreply@linkedin.com>"
) -> bytes:
    text = (
        "Claire Martin\r\nResponsable RSE chez Énergies Locales\r\n\r\n"
        "Bonjour, seriez-vous disponible pour échanger sur un projet de territoire ?\r\n\r\n"
        "Répondre\r\n\r\nCet e-mail était destiné à Léa Marchand\r\n"
    )
    return multipart([text_part(text)], sender=sender, subject=subject, message_id=message_id).replace(
        b"MIME-Version: 1.0\r\n",
        b"MIME-Version: 1.0\r\nList-Unsubscribe: <https://www.linkedin.com/u>\r\n",
        1,
    )


def ingest(raw: bytes):
    return message_ingest(parsed=parse_message(raw), raw=raw)


def test_an_english_notification_is_recognised_with_the_senders_profile():
    parsed = parse_message(notification_en())
    assert parsed.linkedin is not None
    assert parsed.linkedin.name == "Jean Dupont"
    # The sender's profile, not the footer's link to the recipient's own.
    assert parsed.linkedin.profile_url == "https://www.linkedin.com/in/jean-dupont-4a5b6c"
    assert parsed.linkedin.thread_url.startswith("https://www.linkedin.com/messaging/thread/2-")
    assert parsed.linkedin.text.startswith("Bonjour Léa, nous cherchons")
    assert "Reply" not in parsed.linkedin.text and "intended for" not in parsed.linkedin.text
    # LinkedIn sends it as a newsletter, but it is one person writing.
    assert (parsed.kind, parsed.kind_reason) == ("normal", "LinkedIn message notification")


def test_subjects_fr_and_en():
    def name(subject: str, sender: str = "messages-noreply@linkedin.com") -> str:
        notice = recognise(from_email=sender, from_name="", subject=subject, text="", html="")
        return notice.name if notice else ""

    assert name("Jean Dupont sent you a message") == "Jean Dupont"
    assert name("Jean just messaged you") == "Jean"
    assert name("New message from Jean Dupont") == "Jean Dupont"
    assert name("You have a new message from Jean Dupont") == "Jean Dupont"
    assert name("Jean Dupont sent you an InMail") == "Jean Dupont"
    assert name("Claire Martin vous a envoyé un message") == "Claire Martin"
    assert name("Claire Martin vous a envoyé un nouveau message") == "Claire Martin"
    assert name("Nouveau message de Claire Martin") == "Claire Martin"
    assert name("Vous avez un nouveau message de Claire Martin") == "Claire Martin"
    # Digests, invitations, profile views and anything not from LinkedIn are not notices.
    assert name("You have 3 new messages") == ""
    assert name("2 people sent you messages") == ""
    assert name("Jean Dupont wants to connect") == ""
    assert name("Claire Martin a consulté votre profil") == ""
    assert name("Jean Dupont sent you a message", sender="jean@phishing.example") == ""


def test_the_request_comes_from_the_linkedin_sender_found_by_profile(db):
    result = ingest(notification_en())
    assert result.status == "created"
    request = Request.objects.get()
    assert request.channel == Channel.LINKEDIN
    assert request.requester.name == "Jean Dupont"
    assert request.requester.linkedin_url == "https://www.linkedin.com/in/jean-dupont-4a5b6c"
    assert request.requester.email == ""
    assert "nous cherchons un accompagnement" in request.summary
    # Titled by the person's first sentence, not LinkedIn's "Jean Dupont sent you a message".
    assert request.subject == "Bonjour Léa, nous cherchons un accompagnement pour notre transformation"
    assert not Contact.objects.filter(email__endswith="linkedin.com").exists()
    interaction = Interaction.objects.get()
    assert (interaction.contact, interaction.kind, interaction.inbound) == (
        request.requester,
        "linkedin",
        True,
    )
    assert interaction.subject == request.subject  # the person's history says their words too


def test_a_known_contact_with_that_profile_is_reused(db):
    known = Contact.objects.create(
        name="Jean Dupont",
        email="jean@acme.example",
        linkedin_url="https://www.linkedin.com/in/jean-dupont-4a5b6c",
    )
    ingest(notification_en())
    assert Request.objects.get().requester == known


def test_the_next_message_of_the_conversation_joins_the_open_request(db):
    first = ingest(notification_en())
    second = ingest(notification_en(message_id="<li-2@linkedin.com>", body="Avez-vous pu regarder ?"))
    assert (second.status, second.request_id) == ("attached", first.request_id)
    assert Interaction.objects.count() == 2


def test_french_notifications_without_a_profile_link_find_the_person_by_name(db):
    first = ingest(notification_fr("Claire Martin vous a envoyé un message", "<fr-1@linkedin.com>"))
    second = ingest(notification_fr("Nouveau message de Claire Martin", "<fr-2@linkedin.com>"))
    assert first.status == "created" and second.request_id == first.request_id
    request = Request.objects.get()
    assert request.requester.name == "Claire Martin" and request.channel == Channel.LINKEDIN
    assert "projet de territoire" in request.summary
    assert Contact.objects.filter(name="Claire Martin").count() == 1


def test_an_inmail_keeps_the_subject_its_sender_chose(db):
    raw = notification_en().replace(
        b"Subject: Jean Dupont sent you a message", b"Subject: Transmission de Acme", 1
    )
    ingest(raw)
    request = Request.objects.get()
    assert request.channel == Channel.LINKEDIN and request.requester.name == "Jean Dupont"
    assert request.subject == "Transmission de Acme"


def test_other_linkedin_mail_is_just_bulk(db):
    raw = notification_fr("Claire Martin a consulté votre profil", "<views@linkedin.com>")
    parsed = parse_message(raw)
    assert parsed.linkedin is None and parsed.kind == "bulk"


def test_the_request_page_says_where_to_answer_someone_met_on_linkedin(db, second, member):
    import html

    from django.urls import reverse

    from tests.conftest import login

    result = ingest(notification_en())
    page = reverse("circulation:detail", args=[result.request_id])
    text = html.unescape(login(second, "fr").get(page).content.decode())
    assert "Répondre à Jean Dupont sur LinkedIn" in text
    # The conversation without LinkedIn's tracking, and the profile.
    assert 'href="https://www.linkedin.com/messaging/thread/2-ZjE3YTA4NjEtNjRhNi00==/"' in text
    assert 'href="https://www.linkedin.com/in/jean-dupont-4a5b6c"' in text
    assert "lipi=" not in text.split("Répondre à Jean Dupont")[1]
    assert reverse("circulation:write", args=[result.request_id]) not in text  # no address: no mail form
    assert login(member, "fr").get(page).status_code == 404  # not routed to her: nothing to answer
