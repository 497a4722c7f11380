"""What the machine reads in a message: real headers, French and English cues, stable hashes."""

from __future__ import annotations

from cercle.mail.parse import parse_message
from cercle.triage import hashing
from cercle.triage.cues import content_cues
from cercle.triage.features import MailDoc, doc_from_parsed
from cercle.triage.header_signals import header_signals
from tests.conftest import corpus_path


def read(raw: bytes) -> MailDoc:
    return doc_from_parsed(parse_message(raw))


MAILCHIMP = (
    b"From: =?utf-8?q?Caf=C3=A9_des_Entrepreneurs?= <news@cafe-entrepreneurs.example>\r\n"
    b"To: lea@marchand-conseil.fr\r\n"
    b"Subject: =?utf-8?q?Le_programme_de_f=C3=A9vrier?=\r\n"
    b"List-Unsubscribe: <https://cafe.us1.list-manage.com/unsubscribe?u=1>\r\n"
    b"X-Mailer: MailChimp Mailer - **CID3f2a9**\r\n"
    b"Feedback-ID: 123:us1:mailchimp\r\n"
    b"Precedence: bulk\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b1"\r\n'
    b"\r\n"
    b"--b1\r\n"
    b"Content-Type: text/html; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n"
    b"\r\n"
    b"<p>Le programme de f=E9vrier</p><p><a href=3D'https://x'>Se d=E9sinscrire</a></p>\r\n"
    b"--b1--\r\n"
)


def test_mass_mailing_headers_are_named_with_their_evidence():
    doc = read(MAILCHIMP)
    assert doc.subject == "Le programme de février"
    assert doc.from_name == "Café des Entrepreneurs"
    assert "Se désinscrire" in doc.text
    assert doc.html_only
    signals = {s.code: s.detail for s in header_signals(doc)}
    assert signals["bulk_mailer"] == "Mailchimp"
    assert {"list_unsubscribe", "precedence", "campaign", "html_only", "role_sender"} <= set(signals)
    assert "unsubscribe" in content_cues(doc)


def test_a_list_message_from_the_spamassassin_corpus():
    folder = corpus_path("spamassassin", "easy_ham")
    raw = (folder / "00001.7c53336b37003a9286aba55d2945844c").read_bytes()
    doc = read(raw)
    codes = {s.code for s in header_signals(doc)}
    assert {"list_id", "list_unsubscribe", "precedence", "in_thread"} <= codes
    assert doc.from_email == "kre@munnari.oz.au"


def test_an_auto_reply_and_a_bounce_from_real_mail_servers():
    folder = corpus_path("email-fixtures", "sisimai-set-of-emails", "maildir", "bsd")
    bounce = read((folder / "lhost-postfix-01.eml").read_bytes())
    assert "bounce" in {s.code for s in header_signals(bounce)}


def test_french_and_english_cues():
    fr = MailDoc(
        subject="Demande de rendez-vous",
        text="Nous cherchons un accompagnement, budget de 20 k€, avant le 15 mars.",
    )
    en = MailDoc(subject="Quick question", text="I noticed your company is growing. Book a demo, 15 minutes?")
    assert {"meeting", "ask", "budget", "deadline"} <= set(content_cues(fr))
    assert "pitch" in content_cues(en) and "ask" not in content_cues(en)


def test_hashes_are_stable_across_processes_and_machines():
    # Fixed values: a model trained elsewhere (the shipped base model) must index the same features.
    assert hashing.word_index("devis") == hashing.word_index("DEVIS")
    assert hashing.word_index("devis") == 15838
    assert hashing.subject_word_index("devis") != hashing.word_index("devis")


def test_a_broken_message_does_not_raise():
    for raw in (b"", b"\xff\xfe garbage", b"Subject: only headers", b"From: x\n\n\x00\x01"):
        read(raw)
