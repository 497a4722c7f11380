"""A sender's phone and position, read from the signature of their own mail (network/signature.py).

Precision over recall: a field the reader is unsure of is None, a wrong title is worse than none. The
samples below are written here (French and English, with the traps real mail has: someone else's
signature in a quoted reply or a forward, dates, amounts, order numbers, addresses, disclaimers, a
shared mailbox); the Enron mailboxes beside the project check it on real signatures, every value it
finds on a whole mailbox having been checked by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cercle.intake.files import iter_sources
from cercle.mail import kinds
from cercle.mail.parse import parse_message
from cercle.network.signature import signature_read
from tests.conftest import corpus_path

# name, address, text -> (phone, position)
FOUND = {
    "french_signature_after_a_closing": (
        "Sophie Martin",
        "sophie.martin@maison-berthier.fr",
        "Bonjour Claire,\n\n"
        "Suite à notre échange du jeudi 12 mars 2025, je vous confirme notre intérêt pour l'atelier.\n"
        "Le budget prévu est de 4 500 € HT, réglable le 30/04/2025.\n\n"
        "Bien cordialement,\n\n"
        "Sophie Martin\n"
        "Directrice des partenariats\n"
        "Maison Berthier\n"
        "12 rue des Lilas, 75011 Paris\n"
        "Tél. : +33 (0)1 42 68 53 00\n"
        "Mobile : 06 12 34 56 78\n"
        "www.maison-berthier.fr\n",
        ("+33 (0)1 42 68 53 00", "Directrice des partenariats"),
    ),
    "usenet_delimiter_and_pipes": (
        "Julien Roux",
        "julien@agence-nova.fr",
        "Merci pour votre retour rapide, je regarde ça demain.\n\n"
        "-- \n"
        "Julien Roux | Chef de projet digital | Agence Nova\n"
        "07 81 22 45 90\n",
        ("07 81 22 45 90", "Chef de projet digital"),
    ),
    "direct_line_not_the_fax_and_not_the_amounts_in_the_text": (
        "David Chen",
        "david.chen@acme-robotics.com",
        "Hi,\n\nAttached is the quote for order #4512, total $12,400.00 due 2025-04-30.\n\n"
        "Thanks,\n"
        "David Chen\n"
        "VP Engineering\n"
        "Acme Robotics\n"
        "Fax: (415) 555-0199\n"
        "Direct: (415) 555-0134\n",
        ("(415) 555-0134", "VP Engineering"),
    ),
    "an_address_but_no_phone": (
        "Nathalie Girard",
        "n.girard@rh-conseil.fr",
        "Bonjour,\n\nJe vous propose un appel la semaine prochaine.\n\n"
        "Bien à vous,\n"
        "Nathalie Girard\n"
        "Consultante RH\n"
        "45 avenue de la République\n"
        "69003 Lyon\n",
        (None, "Consultante RH"),
    ),
    "disclaimer_with_another_number": (
        "Karen Lee",
        "karen.lee@globex.co.uk",
        "Dear all,\n\nPlease find the agenda below.\n\n"
        "Kind regards,\n"
        "Karen Lee\n"
        "Senior Account Manager\n"
        "Globex Ltd\n"
        "T +44 20 7946 0958 | F +44 20 7946 0959\n\n"
        "This e-mail and any attachments are confidential. If you received it in error, please call\n"
        "+44 20 7946 0000 and delete it.\n",
        ("+44 20 7946 0958", "Senior Account Manager"),
    ),
    "no_display_name_the_address_tells_the_name": (
        "",
        "jdupont@atelier-dupont.fr",
        "Bonjour,\n\nVoici nos disponibilités.\n\n"
        "Jean Dupont\n"
        "Fondateur & CEO\n"
        "Atelier Dupont\n"
        "Port. 06 98 76 54 32\n",
        ("06 98 76 54 32", "Fondateur & CEO"),
    ),
    "own_signature_above_a_french_outlook_reply": (
        "Isabelle Roy",
        "isabelle.roy@ville-exemple.fr",
        "Bonjour,\n\nC'est noté pour le 15.\n\n"
        "Isabelle Roy\n"
        "Cheffe de projet Transition écologique\n"
        "Ville d'Exemple\n"
        "Ligne directe : 03 88 12 34 56\n\n"
        "De : Bruno Petit <bruno.petit@exemple.com>\n"
        "Envoyé : mardi 4 mars 2025 11:02\n"
        "À : Isabelle Roy\n"
        "Objet : Atelier\n\n"
        "Bruno Petit\n"
        "Président\n"
        "06 00 11 22 33\n",
        ("03 88 12 34 56", "Cheffe de projet Transition écologique"),
    ),
    "surname_first_title_on_the_name_line_no_break_spaces": (
        "DURAND Paul",
        "paul.durand@durand-associes.fr",
        "Merci.\n\nPaul DURAND\u00a0\u2013 Associé gérant\nDurand & Associés\n"
        "T\u00a0: +33\u00a06\u00a012\u00a034\u00a056\u00a078\n",
        ("+33 6 12 34 56 78", "Associé gérant"),
    ),
    "the_direct_line_rather_than_the_switchboard": (
        "Camille Perrin",
        "camille.perrin@cabinet-perrin.fr",
        "Bonjour,\n\nJe vous rappelle demain.\n\nCordialement,\nCamille Perrin\nAvocate associée\n"
        "Standard : 01 44 55 66 00 – Ligne directe : 01 44 55 66 12\n",
        ("01 44 55 66 12", "Avocate associée"),
    ),
    "own_signature_right_above_the_attribution": (
        "Jean Morel",
        "jean.morel@acme-industrie.fr",
        "OK pour moi.\n\nJean Morel\nDirecteur technique\njean.morel@acme-industrie.fr – 06 11 22 33 44\n"
        "Le lun. 3 mars 2025 à 10:00, Paul Henry <paul@henry-conseil.fr> a écrit :\n"
        "> Bonjour Jean,\n> Paul Henry\n> Président\n",
        ("06 11 22 33 44", "Directeur technique"),
    ),
}

TRAPS = {
    "someone_elses_signature_in_a_quoted_french_reply": (
        "Marc Lefèvre",
        "marc.lefevre@client.fr",
        "Parfait, je m'en occupe.\n\nMarc\n\n"
        "Le mar. 4 févr. 2025 à 09:12, Hélène Dubois <helene.dubois@exemple.fr> a\n"
        "écrit :\n"
        "> Bonjour Marc,\n"
        "> Pouvez-vous m'envoyer le devis ?\n"
        "> Cordialement,\n"
        "> Hélène Dubois\n"
        "> Responsable des achats\n"
        "> Tél : 01 45 67 89 10\n",
    ),
    "someone_elses_signature_under_an_original_message": (
        "Tom Baker",
        "tbaker@acme-robotics.com",
        "Sounds good, see you Tuesday.\n\n"
        "Best regards,\n"
        "Tom Baker\n\n"
        "-----Original Message-----\n"
        "From: Anna Schmidt <anna.schmidt@globex.de>\n"
        "Sent: Monday, March 3, 2025 4:12 PM\n"
        "To: Tom Baker\n"
        "Subject: Meeting\n\n"
        "Hi Tom, can we meet on Tuesday?\n\n"
        "Anna Schmidt\n"
        "Head of Procurement\n"
        "+49 30 1234 5678\n",
    ),
    "someone_elses_signature_in_a_forwarded_message": (
        "Claire Morel",
        "claire.morel@hub-partenaire.fr",
        "Pour info, voir ci-dessous.\n\n"
        "---------- Forwarded message ---------\n"
        "De : Paul Henry <paul@henry-conseil.fr>\n"
        "Date: lun. 3 mars 2025 à 10:00\n"
        "Objet : Devis\n"
        "À : Claire Morel <claire.morel@hub-partenaire.fr>\n\n"
        "Bonjour Claire,\n\n"
        "Paul Henry\n"
        "Directeur commercial\n"
        "06 99 88 77 66\n",
    ),
    "an_order_number_a_date_and_an_amount": (
        "Pierre Garnier",
        "pierre.garnier@gmail.com",
        "Bonjour,\n\nJe n'ai toujours pas reçu ma commande.\n\n"
        "Cordialement,\n"
        "Pierre Garnier\n"
        "Commande n° 0612345678 du 12/03/2025 – montant 1 250,00 €\n",
    ),
    "a_shared_mailbox_signed_by_a_person": (
        "",
        "contact@atelier-bois.fr",
        "Bonjour,\n\nNous avons bien reçu votre demande.\n\n"
        "Cordialement,\n"
        "Marie Durand\n"
        "Responsable clientèle\n"
        "01 23 45 67 89\n",
    ),
    "the_number_is_in_the_text_not_in_the_signature": (
        "Léa Fontaine",
        "lea.fontaine@orange.fr",
        "Bonjour,\n\nVous pouvez me joindre au 06 11 22 33 44 demain matin.\n\nMerci,\nLéa\n",
    ),
    "a_sentence_after_the_name": (
        "Rachel Green",
        "rachel@green-events.com",
        "Hi,\n\nLet me know.\n\nCheers,\nRachel Green\nPlease consider the environment before printing.\n",
    ),
    "a_fax_only_and_a_tax_number": (
        "Hugo Lambert",
        "hugo@lambert-btp.fr",
        "Ci-joint le devis.\n\nHugo Lambert\nLambert BTP\nFax : 01 60 12 34 56\nTVA FR 40 123 456 789\n",
    ),
}


@pytest.mark.parametrize("case", FOUND.values(), ids=FOUND.keys())
def test_the_senders_phone_and_position_come_from_their_signature(case):
    name, email, text, expected = case
    found = signature_read(text, name=name, email=email)
    assert (found.phone, found.position) == expected


@pytest.mark.parametrize("case", TRAPS.values(), ids=TRAPS.keys())
def test_nothing_is_taken_from_what_is_not_the_senders_signature(case):
    name, email, text = case
    found = signature_read(text, name=name, email=email)
    assert (found.phone, found.position) == (None, None)


def test_the_company_line_after_the_name_is_no_position():
    text = "Bonjour,\n\nJe peux passer jeudi.\n\nBien à vous,\nLucas Bernard\nAtelier Bernard SARL\n02 40 12 34 56\n"
    found = signature_read(text, name="Lucas Bernard", email="lucas@atelier-bernard.fr")
    assert (found.phone, found.position) == ("02 40 12 34 56", None)


def test_a_title_longer_than_a_title_is_not_taken():
    title = "Directeur " + "des projets transverses et de la coordination interservices régionale " * 2
    found = signature_read(f"Merci.\n\nJean Morel\n{title}\n", name="Jean Morel", email="j@x.fr")
    assert found.position is None


def test_no_text_gives_nothing():
    assert signature_read("", name="Jean Morel", email="jean@x.fr").position is None


# --- Real mail ---------------------------------------------------------------------------------

# Every sender of Keith Holst's mailbox (all folders, 463 person-to-person messages) for whom the reader
# finds something, with what it finds, each checked by hand against the message. A new finding there
# fails the test until someone checks it too.
HOLST_CHECKED = {
    "amanda.rybarski@enron.com": ("(713) 853-4384", None),  # "Office:", not the fax or pager below
    "andrea.stein@robertwalters.com": ("212 704 9900", "Recruiting Consultant"),
    "catalina.cardenas@enron.com": ("(713)345-3650", "Analyst"),
    "cburgess@energy.state.ca.us": ("916-654-4989", None),  # "Christopher Burgess", Web Development Team
    "danielle.stephens@enron.com": ("713-345-3238", None),
    "fnamjou@energy.state.ca.us": ("916-654-4989", None),  # "Farideh Namjou", Web Development Team
    "ina.rangel@enron.com": ("713-853-7257", "Administrative Coordinator"),  # "Voice", not "Fax"
    "james.bruce@enron.com": ("(503) 464-8122", None),  # columns; "West Power Desk" is no title
    "keith.holst@enron.com": ("713-853-7069", None),
    "lindsay.renaud@enron.com": ("(713) 345-3703", None),  # "Desk"
    "r..harrington@enron.com": ("713-853-7619", "Technical Project Manager, ECS Project"),  # "w:"
    "tbrassard@hhsi.com": (None, "Senior Accountant"),  # "Tracy Brassard", company, then title
}

# Single messages elsewhere, checked by hand: mostly traps (a message relayed for a colleague, a
# newsletter, a forward without a marker, a team's contact list), and a few real finds.
ENRON_CHECKED = [
    # Darren Adamik's announcement sent by Ina Rangel: his number and title are not hers.
    ("grigsby-m/enron.grigsby-m.all_documents", "<29112405.1075855587811.JavaMail.evans@thyme>", None, None),
    # Joe Linsalata's signature under a mail from leanne@.
    ("allen-p/enron.allen-p.deleted_items", "<14688686.1075858637806.JavaMail.evans@thyme>", None, None),
    # Matthew Gordon, Director of Training, writing from ariane.saney@.
    ("gay-r/enron.gay-r.deleted_items", "<13372922.1075862183618.JavaMail.evans@thyme>", None, None),
    # Susan Hadix's message forwarded by drrichardson@ without a forward marker.
    (
        "kuykendall-t/enron.kuykendall-t.deleted_items",
        "<24110116.1075859024987.JavaMail.evans@thyme>",
        None,
        None,
    ),
    # A New York Times newsletter signed "Rich Meislin, Editor in Chief".
    ("allen-p/enron.allen-p.all_documents", "<3077082.1075855665373.JavaMail.evans@thyme>", None, None),
    # outlook.team@ signed by Emmanuel Mangin, Team Lead.
    ("lenhart-m/enron.lenhart-m.all_documents", "<17637274.1075858122298.JavaMail.evans@thyme>", None, None),
    # Susan Hadix herself: "Susan A. Hadix, Senior Volume Analyst"; her "832/676-6955 phone" is not read.
    (
        "kuykendall-t/enron.kuykendall-t.deleted_items",
        "<30576384.1075862415506.JavaMail.evans@thyme>",
        None,
        "Senior Volume Analyst",
    ),
    (
        "tholt-j/enron.tholt-j.inbox",
        "<3512593.1075861445832.JavaMail.evans@thyme>",
        "713-853-4525",
        "Executive Assistant to Jim Fallon",
    ),
    # "(Octel)" and "(Client)" numbers are not his; "(C)" is his cell.
    (
        "lenhart-m/enron.lenhart-m.deleted_items",
        "<5732436.1075854965621.JavaMail.evans@thyme>",
        "713.306.7940",
        "Consultant -- Energy",
    ),
    (
        "grigsby-m/enron.grigsby-m.deleted_items",
        "<19157521.1075853104756.JavaMail.evans@thyme>",
        "+44 (0)20 783 5558",
        None,
    ),
    # "713-853-7041 wk" before "713-463-8626 home".
    (
        "allen-p/enron.allen-p._sent_mail",
        "<30212818.1075855727068.JavaMail.evans@thyme>",
        "713-853-7041",
        None,
    ),
]


def _person_to_person(root: Path):
    for where, raw, _error in iter_sources(root):
        if raw is None:
            continue
        parsed = parse_message(raw)
        if parsed.kind == kinds.NORMAL and parsed.linkedin is None:
            yield where, parsed


def test_on_a_whole_enron_mailbox_every_value_found_was_checked_by_hand():
    senders = set()
    for where, parsed in _person_to_person(Path(corpus_path("enron-mbox", "holst-k"))):
        found = signature_read(parsed.text, name=parsed.from_name, email=parsed.from_email)
        if found.phone or found.position:
            assert HOLST_CHECKED.get(parsed.from_email) == (found.phone, found.position), where
            senders.add(parsed.from_email)
    assert senders == set(HOLST_CHECKED)


@pytest.mark.parametrize(("mbox", "message_id", "phone", "position"), ENRON_CHECKED)
def test_real_enron_signatures_checked_by_hand(mbox, message_id, phone, position):
    wanted = message_id.encode()
    for _where, raw, _error in iter_sources(Path(corpus_path("enron-mbox", *mbox.split("/")))):
        if raw is not None and wanted in raw[:4000]:
            parsed = parse_message(raw)
            assert parsed.message_id == message_id
            found = signature_read(parsed.text, name=parsed.from_name, email=parsed.from_email)
            assert (found.phone, found.position) == (phone, position)
            return
    pytest.fail(f"{message_id} not found in {mbox}")
