"""LinkedIn's message notifications in the formats it used over the years (EN and FR): messages, InMail,
reminders, replies and one-message digests are one person writing; invitations, digests of several
people and look-alike senders are not."""

from __future__ import annotations

from cercle.mail.linkedin_notice import is_notice_subject, recognise

FOOTER_EN = (
    "Reply\nhttps://www.linkedin.com/comm/messaging/thread/2-AbCd==/\n\n"
    "This email was intended for Léa Marchand (Founder)\nYou are receiving LinkedIn notification emails.\n"
    "Unsubscribe: https://www.linkedin.com/comm/psettings/email-unsubscribe\n© 2025 LinkedIn Corporation\n"
)
FOOTER_FR = (
    "Répondre\nhttps://www.linkedin.com/comm/messaging/thread/2-EfGh==/\n\n"
    "Cet e-mail était destiné à Léa Marchand (Dirigeante)\nVous recevez les notifications de LinkedIn.\n"
    "Se désabonner\n© 2025 LinkedIn Ireland Unlimited Company\n"
)


def _notice(sender: str, subject: str, text: str, from_name: str = "LinkedIn"):  # type: ignore[no-untyped-def]
    return recognise(from_email=sender, from_name=from_name, subject=subject, text=text, html="")


def test_an_inmail_keeps_its_own_subject_and_comes_from_the_person():
    notice = _notice(
        "inmail-hit-reply@linkedin.com",
        "Conseil d'administration de notre fondation",
        "Odile Ferrand\nPrésidente, Fondation Ferrand\n\nConseil d'administration de notre fondation\n\n"
        "Madame, accepteriez-vous de rejoindre notre conseil ?\n\nRépondre     Pas intéressé(e)\n\n"
        "Ceci est un InMail envoyé par un membre de LinkedIn.\n",
        from_name="Odile Ferrand via LinkedIn",
    )
    assert notice is not None and notice.name == "Odile Ferrand"
    assert notice.text.endswith("accepteriez-vous de rejoindre notre conseil ?")
    assert "Pas intéressé" not in notice.text and "InMail envoyé" not in notice.text


def test_an_english_inmail_with_its_buttons():
    notice = _notice(
        "inmail-hit-reply@linkedin.com",
        "Board role at a family-owned brewery",
        "Conor Walsh\nChairman, Walsh Brewing\n\nHello Léa, would you join our board next year?\n\n"
        "Reply   Not interested\n\nThis is an InMail from a LinkedIn member.\n",
        from_name="Conor Walsh via LinkedIn",
    )
    assert notice is not None and notice.name == "Conor Walsh"
    assert notice.text == "Hello Léa, would you join our board next year?"


def test_reminders_give_the_message_not_the_card():
    for subject, card, footer in (
        ("Inès Roussel is waiting for your response", "Inès Roussel is waiting for your response", FOOTER_EN),
        ("Inès Roussel attend votre réponse", "Inès Roussel attend votre réponse", FOOTER_FR),
    ):
        notice = _notice(
            "messaging-digest-noreply@linkedin.com",
            subject,
            f"{card}\n\nInès Roussel\nGérante, Roussel Optique\n\nPouvez-vous me rappeler demain ?\n\n{footer}",
        )
        assert notice is not None and notice.name == "Inès Roussel"
        assert notice.text == "Pouvez-vous me rappeler demain ?"


def test_a_first_name_subject_takes_the_full_name_from_the_sender():
    notice = _notice(
        "messages-noreply@linkedin.com",
        "Karim just messaged you",
        f"Karim Bensaïd\nCEO, Bensaïd Logistique\n\nHi Léa, can we talk about our board?\n\n{FOOTER_EN}",
        from_name="Karim Bensaïd via LinkedIn",
    )
    assert notice is not None and notice.name == "Karim Bensaïd"
    assert notice.text == "Hi Léa, can we talk about our board?"


def test_older_formats_messages_replies_and_relays():
    old = _notice(
        "messages-noreply@linkedin.com",
        "Lucie Perrin has sent you a message",
        "LinkedIn\n----------------------------------------\n\nLucie Perrin\nDirectrice, Perrin SA\n\n"
        "Bonjour Léa, un conseil sur notre pacte d'associés ?\n\nView message: https://www.linkedin.com/e/v2?e=1\n"
        "----------------------------------------\nThis email was intended for Léa Marchand.\n",
    )
    assert old is not None and old.name == "Lucie Perrin"
    assert old.text == "Bonjour Léa, un conseil sur notre pacte d'associés ?"
    relayed = _notice(
        "member@linkedin.com",
        "RE: Notre rencontre à Annecy",
        "Paul Girod\nFondateur, Girod Bois\n\nMerci pour le déjeuner, Léa !\n\n"
        "View/reply to this message: https://www.linkedin.com/e/v2?e=2\n",
        from_name="Paul Girod via LinkedIn",
    )
    assert relayed is not None and relayed.name == "Paul Girod"
    assert relayed.text == "Merci pour le déjeuner, Léa !"
    for subject in (
        "Maud Lenoir a répondu à votre message",
        "Vous avez reçu un message de Maud Lenoir",
        "Maud Lenoir vient de vous envoyer un nouveau message",
        "Maud Lenoir vous a écrit",
        "Maud Lenoir messaged you",
    ):
        notice = _notice("messages-noreply@linkedin.com", subject, "")
        assert notice is not None and notice.name == "Maud Lenoir", subject


def test_a_one_message_digest_names_the_person_in_its_text():
    notice = _notice(
        "messaging-digest-noreply@linkedin.com",
        "Vous avez 1 nouveau message",
        "Vous avez 1 nouveau message\n\nRémi Cordier vous a envoyé un message\nRémi Cordier\nMaire de Tarare\n\n"
        f"Bonjour Madame, pourriez-vous animer notre forum ?\n\n{FOOTER_FR}",
    )
    assert notice is not None and notice.name == "Rémi Cordier"
    assert notice.text == "Bonjour Madame, pourriez-vous animer notre forum ?"


def test_what_is_not_one_person_writing():
    # Invitations also say "X via LinkedIn", from another address.
    assert (
        _notice(
            "invitations@linkedin.com", "Hugo Bert wants to connect", "", from_name="Hugo Bert via LinkedIn"
        )
        is None
    )
    assert _notice("invitations@linkedin.com", "Invitation", "", from_name="Hugo Bert via LinkedIn") is None
    # Digests of several people, and notices from LinkedIn itself.
    assert _notice("messaging-digest-noreply@linkedin.com", "Vous avez 4 nouveaux messages", "") is None
    assert _notice("messaging-digest-noreply@linkedin.com", "You have 6 new messages", "") is None
    assert _notice("notifications-noreply@linkedin.com", "Hugo Bert a commenté votre publication", "") is None
    # A look-alike sender is not LinkedIn, whatever it says.
    assert _notice("securite@linkedin-messagerie.com", "Hugo Bert vous a envoyé un message", "") is None
    assert _notice("notice@linkedln-inbox.net", "Board role", "", from_name="Hugo Bert via LinkedIn") is None


def test_linkedin_wording_in_a_subject_is_told_from_the_person_s_own():
    for subject in (
        "Jean Dupont sent you a message",
        "Jean just messaged you",
        "Vous avez 1 nouveau message",
        "You have a new message",
        "Nouveau message de Claire Martin",
        "Claire Martin attend votre réponse",
    ):
        assert is_notice_subject(subject), subject
    for subject in ("Keynote at our forum?", "RE: Notre rencontre à Annecy", "Mission de médiation"):
        assert not is_notice_subject(subject), subject
