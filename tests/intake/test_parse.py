"""parse_message: hostile and broken mail never crashes it; charsets decode right; HTML is made safe."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cercle.mail.headers import decode_bytes, decode_words
from cercle.mail.parse import parse_message
from tests.conftest import corpus_path
from tests.intake.mails import eml, file_part, multipart, text_part

SIMPLE = (
    b"From: =?iso-8859-1?q?Ren=E9e_L=E9v=EAque?= <renee@client.example>\r\n"
    b"To: lea@hub.example\r\n"
    b"Subject: =?utf-8?q?Demande_d=E2=80=99accompagnement?=\r\n"
    b"Message-ID: <abc@client.example>\r\n"
    b"In-Reply-To: <parent@hub.example>\r\n"
    b"References: <root@hub.example> <parent@hub.example>\r\n"
    b"Date: Mon, 23 Nov 2026 09:00:00 +0100\r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"Bonjour, nous souhaitons =EAtre accompagn=E9s.\r\n"
)


def _plain(body: bytes, charset: str, *, subject: bytes = b"x", cte: str = "8bit") -> bytes:
    return (
        b"From: a@b.example\r\nSubject: "
        + subject
        + b"\r\nContent-Type: text/plain; charset="
        + charset.encode()
        + b"\r\nContent-Transfer-Encoding: "
        + cte.encode()
        + b"\r\n\r\n"
        + body
    )


def test_headers_and_latin1_body_are_decoded():
    parsed = parse_message(SIMPLE)
    assert parsed.from_name == "Renée Lévêque"
    assert parsed.from_email == "renee@client.example"
    assert parsed.subject == "Demande d’accompagnement"
    assert parsed.message_id == "<abc@client.example>"
    assert parsed.thread_ids == ["<parent@hub.example>", "<root@hub.example>"]
    assert "être accompagnés" in parsed.text
    assert parsed.date is not None and parsed.date.utcoffset().total_seconds() == 3600


def test_windows_1252_curly_quotes_and_euro_are_right_even_when_labelled_latin1():
    body = "L’été coûte 100 € « environ »".encode("cp1252")
    assert parse_message(_plain(body, "windows-1252")).text == "L’été coûte 100 € « environ »"
    # Outlook labels cp1252 text as ISO-8859-1: the C1 bytes are quotes and euros, not controls.
    assert parse_message(_plain(body, "iso-8859-1")).text == "L’été coûte 100 € « environ »"


def test_iso_8859_15_keeps_its_euro_and_oe_ligature():
    body = "Cœur: 5 €".encode("iso-8859-15")
    assert parse_message(_plain(body, "iso-8859-15")).text == "Cœur: 5 €"


def test_utf8_text_mislabelled_as_latin1_is_not_mangled():
    body = "Déjà vu, très élégant".encode()
    assert parse_message(_plain(body, "iso-8859-1")).text == "Déjà vu, très élégant"


def test_latin1_text_mislabelled_as_utf8_or_ascii_keeps_its_accents():
    body = "Réunion à Besançon".encode("latin-1")
    assert parse_message(_plain(body, "utf-8")).text == "Réunion à Besançon"
    assert parse_message(_plain(body, "us-ascii")).text == "Réunion à Besançon"


def test_unknown_or_broken_charsets_fall_back_without_losing_the_text():
    for label in ("x-made-up", '"utf-8"', "utf8", "unknown-8bit", "base64", "latin-1; format=flowed"):
        parsed = parse_message(_plain("café crème".encode("latin-1"), label))
        assert parsed.text == "café crème", label


def test_raw_8bit_headers_are_read_as_utf8_or_windows_1252():
    raw = "From: Hélène Dupré <helene@client.example>\r\nSubject: Déjà prêt\r\n\r\nok".encode()
    parsed = parse_message(raw)
    assert parsed.from_name == "Hélène Dupré" and parsed.subject == "Déjà prêt"
    raw = "From: Hélène <helene@client.example>\r\nSubject: Réunion\r\n\r\nok".encode("latin-1")
    parsed = parse_message(raw)
    assert parsed.from_name == "Hélène" and parsed.subject == "Réunion"


def test_encoded_words_are_joined_and_broken_ones_kept():
    # A UTF-8 character split across two encoded words, and folding between them.
    assert decode_words("=?utf-8?b?w6k=?=\r\n =?utf-8?b?w6k=?=").replace("\r\n", "") == "éé"
    assert decode_words("=?UTF-8?Q?Caf=C3=A9?= et =?ISO-8859-1?Q?cr=E8me?=") == "Café et crème"
    assert decode_words("=?utf-8*fr?q?=C3=A9t=C3=A9?=") == "été"
    assert decode_words("=?x-bogus?q?caf=E9?=") == "café"
    assert decode_words("plain =?utf-8?b?***?= text").startswith("plain")


def test_address_lists_with_encoded_names_and_commas():
    raw = (
        b'From: "Dupont, Jean" <jean@client.example>\r\n'
        b"To: =?utf-8?q?L=C3=A9a_Marchand?= <LEA@hub.example>, samuel@hub.example,\r\n"
        b" =?iso-8859-1?q?Fr=E9d=E9ric?= <fred@client.example>\r\n"
        b"Cc: undisclosed-recipients:;\r\nSubject: x\r\n\r\nbody"
    )
    parsed = parse_message(raw)
    assert (parsed.from_name, parsed.from_email) == ("Dupont, Jean", "jean@client.example")
    assert parsed.to == ["lea@hub.example", "samuel@hub.example", "fred@client.example"]
    assert parsed.cc == []
    assert parsed.names["lea@hub.example"] == "Léa Marchand"
    assert parsed.names["fred@client.example"] == "Frédéric"


def test_multipart_alternative_keeps_text_and_sanitised_html():
    raw = multipart(
        [text_part("Bonjour en texte"), text_part("<p>Bonjour <b>en HTML</b></p>", subtype="html")],
        subtype="alternative",
    )
    parsed = parse_message(raw)
    assert parsed.text == "Bonjour en texte"
    assert "<b>en HTML</b>" in parsed.html
    assert parsed.attachments == []


def test_script_in_html_is_removed_and_text_is_derived():
    raw = (
        b"From: a@b.example\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p onclick='steal()'>Bonjour <b>L\xc3\xa9a</b></p><script>alert(1)</script>"
        b"<img src='javascript:alert(2)'><a href='javascript:alert(3)'>lien</a>"
    )
    parsed = parse_message(raw)
    assert "<script" not in parsed.html and "alert(1)" not in parsed.html
    assert "onclick" not in parsed.html
    assert "javascript:" not in parsed.html
    assert "<b>Léa</b>" in parsed.html
    assert "Bonjour" in parsed.text and "Léa" in parsed.text


def test_huge_bodies_are_truncated_and_flagged():
    raw = b"From: a@b.example\r\nSubject: big\r\n\r\n" + b"A" * 300_000
    parsed = parse_message(raw, max_text_chars=1000)
    assert parsed.truncated
    assert len(parsed.text) == 1000


def test_a_message_without_message_id_gets_a_stable_one():
    raw = b"From: a@b.example\r\nSubject: no id\r\n\r\nhello"
    assert parse_message(raw).message_id == parse_message(raw).message_id
    assert parse_message(raw).message_id != parse_message(raw + b"!").message_id
    bare = b"From: a@b.example\r\nMessage-ID: 1234@legacy.example\r\nSubject: x\r\n\r\nhello"
    assert parse_message(bare).message_id == "<1234@legacy.example>"


def test_attachments_are_listed_with_their_bytes_not_inlined():
    raw = multipart([text_part("Voir PJ"), file_part(b"%PDF-1.4\n", filename="devis.pdf")])
    parsed = parse_message(raw)
    assert parsed.text.strip() == "Voir PJ"
    [pdf] = parsed.attachments
    assert (pdf.filename, pdf.content_type, pdf.size, pdf.payload) == (
        "devis.pdf",
        "application/pdf",
        9,
        b"%PDF-1.4\n",
    )
    assert pdf.role == "file" and not pdf.inline


def test_attachment_names_are_decoded_and_never_paths():
    raw = multipart(
        [
            text_part("x"),
            file_part(b"a", filename="=?utf-8?q?r=C3=A9sum=C3=A9.pdf?="),
            file_part(b"b", filename="../../etc/passwd"),
            file_part(b"c", filename="C:\\Users\\x\\rapport.docx"),
            file_part(b"d", filename=None, content_type="application/zip"),
        ]
    )
    names = [a.filename for a in parse_message(raw).attachments]
    assert names[:2] == ["résumé.pdf", "passwd"]
    assert names[2].endswith("rapport.docx") and not {"/", "\\"} & set(names[2])
    assert names[3] == "part-4.zip"


def test_rfc2231_file_names():
    raw = multipart(
        [
            text_part("x"),
            b"Content-Type: application/pdf\r\n"
            b"Content-Disposition: attachment; filename*=UTF-8''pr%C3%A9sentation%20finale.pdf\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK",
        ]
    )
    assert parse_message(raw).attachments[0].filename == "présentation finale.pdf"


def test_inline_images_are_marked_inline():
    raw = multipart(
        [
            text_part('<p>Logo <img src="cid:logo@x"></p>', subtype="html"),
            file_part(
                b"\x89PNG\r\n",
                content_type="image/png",
                filename="logo.png",
                disposition="inline",
                content_id="logo@x",
            ),
            file_part(
                b"\x89PNG\r\n", content_type="image/png", filename=None, disposition="", content_id="sig@x"
            ),
        ],
        subtype="related",
    )
    images = parse_message(raw).attachments
    assert [(a.filename, a.inline, a.role, a.content_id) for a in images] == [
        ("logo.png", True, "image", "logo@x"),
        ("part-2.png", True, "image", "sig@x"),
    ]


ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//FR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    b"UID:1@x\r\nDTSTAMP:20261123T080000Z\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\n"
    b"SUMMARY:R\xc3\xa9union de lancement\r\nLOCATION:Paris\r\nORGANIZER:mailto:marc@client.example\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_calendar_invitations_are_listed_with_their_summary_and_start():
    # As Outlook sends them: the invitation is one of the alternatives, without a file name.
    raw = multipart(
        [
            text_part("Invitation"),
            b"Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + ICS,
        ],
        subtype="alternative",
    )
    parsed = parse_message(raw)
    [invitation] = parsed.attachments
    assert invitation.filename == "invitation.ics" and invitation.role == "calendar"
    assert invitation.calendar == {
        "method": "REQUEST",
        "summary": "Réunion de lancement",
        "location": "Paris",
        "organizer": "marc@client.example",
        "start": "2026-12-01T09:00:00+00:00",
        "end": "2026-12-01T10:00:00+00:00",
    }
    assert parsed.text == "Invitation"


def test_a_broken_calendar_is_still_listed():
    raw = multipart(
        [
            text_part("x"),
            file_part(b"BEGIN:VCALENDAR\r\ngarbage", content_type="text/calendar", filename="rdv.ics"),
        ]
    )
    [invitation] = parse_message(raw).attachments
    assert invitation.role == "calendar" and invitation.filename == "rdv.ics"


def test_tnef_winmail_dat_is_listed_as_an_attachment():
    data = (corpus_path("email-fixtures", "tnefparse", "tests", "examples") / "two-files.tnef").read_bytes()
    raw = multipart(
        [
            text_part("Voir pièce jointe"),
            file_part(data, content_type="application/ms-tnef", filename="winmail.dat"),
        ]
    )
    [tnef] = parse_message(raw).attachments
    assert (tnef.filename, tnef.role, tnef.size) == ("winmail.dat", "tnef", len(data))
    unnamed = multipart(
        [
            text_part("x"),
            file_part(data, content_type="application/vnd.ms-tnef", filename=None, disposition=""),
        ]
    )
    assert parse_message(unnamed).attachments[0].filename == "winmail.dat"


def test_a_message_forwarded_as_attachment_is_a_file_and_inline_forwards_are_read():
    inner = eml(message_id="<inner@x>", subject="Original", body="Texte d'origine")
    attached = multipart(
        [
            text_part("Voir le message joint"),
            b"Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n" + inner,
        ]
    )
    parsed = parse_message(attached)
    assert parsed.text == "Voir le message joint"
    assert [(a.filename, a.role) for a in parsed.attachments] == [("message.eml", "message")]
    inline = multipart([text_part("Pour info"), b"Content-Type: message/rfc822\r\n\r\n" + inner])
    assert "Texte d'origine" in parse_message(inline).text


def test_mailpit_attachments_and_inline_images():
    root = corpus_path("email-fixtures", "mailpit", "internal", "storage", "testdata")
    inline = parse_message((root / "inline-attachment.eml").read_bytes())
    assert any(a.inline and a.content_type.startswith("image/") for a in inline.attachments)
    regular = parse_message((root / "regular-attachment.eml").read_bytes())
    assert regular.attachments and all(a.size > 0 for a in regular.attachments)


def test_decode_bytes_never_raises():
    for data in (b"\xff\xfe\x00", b"\x81\x8d\x8f", "é".encode("utf-16")):
        for label in (None, "utf-8", "iso-2022-jp", "utf-7", "shift_jis", "nonsense"):
            assert isinstance(decode_bytes(data, label), str)


def test_deeply_nested_multiparts_do_not_crash():
    raw = b"From: a@b.example\r\nSubject: deep\r\n"
    for depth in range(300):
        raw += f'Content-Type: multipart/mixed; boundary="b{depth}"\r\n\r\n--b{depth}\r\n'.encode()
    raw += b"Content-Type: text/plain\r\n\r\nbottom\r\n"
    parsed = parse_message(raw)
    assert parsed.from_email == "a@b.example"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_parse_without_raising(raw):
    parsed = parse_message(raw)
    assert isinstance(parsed.text, str)
    assert parsed.message_id.startswith("<")


@settings(max_examples=150, deadline=None)
@given(
    st.text(max_size=200),
    st.sampled_from(["utf-8", "iso-8859-1", "windows-1252", "x-unknown", "koi8-r", ""]),
    st.sampled_from(["8bit", "base64", "quoted-printable", "x-uuencode", "garbage"]),
)
def test_any_text_in_any_declared_charset_and_encoding_parses(text, charset, cte):
    raw = _plain(
        text.encode("utf-8", "surrogatepass"),
        charset,
        subject=text.encode("utf-8", "surrogatepass")[:80].replace(b"\r", b"").replace(b"\n", b""),
        cte=cte,
    )
    parsed = parse_message(raw)
    assert isinstance(parsed.subject, str) and isinstance(parsed.text, str)


def test_corpus_multi_charset_messages_decode_french_accents():
    root = Path(corpus_path("email-fixtures", "ruby-mail", "spec", "fixtures", "emails"))
    texts = [parse_message(p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]
    assert texts
    assert not any(
        "\ufffd" in (p.from_name + p.subject)
        for p in texts
        if p.subject.isascii() is False and "é" in p.subject
    )


def test_the_ids_a_message_answers_come_nearest_first_each_once():
    parsed = parse_message(
        b"From: a@client.example\r\nMessage-ID: <me@x>\r\nIn-Reply-To: <c@x>\r\n"
        b"References: <a@x> <b@x> <a@x> <c@x>\r\n\r\nSee below.\r\n"
    )
    parsed.report_ids = ["<b@x>", "<r@x>"]
    assert parsed.thread_ids == ["<c@x>", "<a@x>", "<b@x>", "<r@x>"]
    assert parsed.all_ids == ["<me@x>", "<c@x>", "<a@x>", "<b@x>", "<r@x>"]
