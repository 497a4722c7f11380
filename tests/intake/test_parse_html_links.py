"""HTML read as text keeps where its links lead: "Voir le devis (https://…)"."""

from __future__ import annotations

from cercle.mail.html import html_to_text
from cercle.mail.parse import parse_message
from tests.intake.mails import multipart, text_part


def test_a_link_keeps_its_target_after_its_words():
    text = html_to_text('<p>Bonjour,</p><p><a href="https://x.example/devis">Voir le devis</a></p>')
    assert text == "Bonjour,\nVoir le devis (https://x.example/devis)"


def test_a_link_whose_words_are_its_address_is_not_repeated():
    assert html_to_text('<a href="https://x.example/devis">https://x.example/devis</a>') == (
        "https://x.example/devis"
    )
    assert html_to_text('<a href="https://www.x.example/">www.x.example</a>') == "www.x.example"


def test_mail_script_and_local_links_keep_only_their_words():
    markup = (
        '<a href="mailto:lea@hub.example">Écrire à Léa</a> '
        "<a href='javascript:alert(1)'>cliquer</a> "
        '<a href="#haut">Haut de page</a>'
    )
    assert html_to_text(markup) == "Écrire à Léa cliquer Haut de page"


def test_an_image_link_adds_no_address_and_entities_are_decoded():
    assert html_to_text('<a href="https://x.example/"><img src="logo.png"></a>Suite') == "Suite"
    markup = "<A HREF='https://x.example/rdv?a=1&amp;b=2'>Prendre&nbsp;rendez-vous</A>"
    assert html_to_text(markup) == "Prendre\xa0rendez-vous (https://x.example/rdv?a=1&b=2)"


def test_hidden_parts_are_left_out():
    markup = (
        "<html><head><title>Lettre</title><style>p {color: red}</style></head>"
        "<body><!--[if mso]><p>Outlook</p><![endif]--><p>Visible</p><script>alert(1)</script>"
        "<header>En-tête</header></body></html>"
    )
    assert html_to_text(markup) == "Visible\nEn-tête"


def test_an_html_only_message_is_read_with_its_link_targets():
    raw = multipart(
        [
            text_part(
                '<p>Votre devis est prêt.</p><p><a href="https://devis.example/42">Voir le devis</a></p>',
                subtype="html",
            )
        ],
        subtype="alternative",
    )
    parsed = parse_message(raw)
    assert parsed.html_only
    assert parsed.text == "Votre devis est prêt.\nVoir le devis (https://devis.example/42)"
    assert 'href="https://devis.example/42"' in parsed.html


def test_a_message_with_a_text_part_is_not_html_only():
    raw = multipart(
        [text_part("Votre devis est prêt."), text_part("<p>Votre devis est prêt.</p>", subtype="html")],
        subtype="alternative",
    )
    parsed = parse_message(raw)
    assert not parsed.html_only
    assert parsed.text == "Votre devis est prêt."


def test_many_unclosed_anchors_stay_fast():
    import time

    markup = '<a href="https://x.example/">lien ' * 20_000
    started = time.perf_counter()
    html_to_text(markup)
    assert time.perf_counter() - started < 2.0
