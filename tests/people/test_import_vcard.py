"""Importing people from vCard files (2.1, 3.0, 4.0): everyone found or added, nothing the team wrote
replaced, the same file twice changes nothing, and bad files get a clear message instead of an error."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cercle.network.models import Contact, ContactNote, ContactSource, Identity
from cercle.network.search import who_can
from tests.conftest import login
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

# A phone's export (Android writes vCard 2.1): quoted-printable UTF-8 with a soft line break in the
# note, bare parameters, two addresses (the preferred one second), a commas in an unescaped note.
VCARD_21 = (
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Th=C3=A9ron;H=C3=A9l=C3=A8ne;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:H=C3=A9l=C3=A8ne Th=C3=A9ron\r\n"
    "TEL;CELL:+33 6 12 34 56 78\r\n"
    "TEL;WORK:+33 4 72 00 00 00\r\n"
    "EMAIL;HOME:helene.theron@gmail.com\r\n"
    "EMAIL;WORK;PREF:helene@atelier-theron.fr\r\n"
    "ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Atelier Th=C3=A9ron\r\n"
    "TITLE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:G=C3=A9rante\r\n"
    "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Rencontr=C3=A9e au salon de Lyon, c=C3=B4t=C3=A9 ateliers=\r\n"
    "=2C tr=C3=A8s bon contact.\r\n"
    "END:VCARD\r\n"
)
# Apple Contacts (vCard 3.0): grouped properties, escaped commas, categories, a LinkedIn profile, a photo.
VCARD_30 = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//macOS 14.4//EN\r\n"
    "N:Martin;Jean-Baptiste;;;\r\n"
    "FN:Jean-Baptiste Martin\r\n"
    "ORG:Martin & Fils\\, SARL;Direction\r\n"
    "TITLE:Directeur général\r\n"
    "item1.EMAIL;type=INTERNET;type=pref:jb.martin@martin-fils.fr\r\n"
    "item1.X-ABLabel:_$!<Work>!$_\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:06 98 76 54 32\r\n"
    "X-SOCIALPROFILE;type=linkedin:https://fr.linkedin.com/in/JB-Martin/?trk=x\r\n"
    "CATEGORIES:Clients,Lyon\r\n"
    "NOTE:Préfère le téléphone\\, le matin.\\nA un fils à Paris.\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n"
    " /2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U\r\n"
    "END:VCARD\r\n"
)
# vCard 4.0 (RFC 6350): typed values, a tel: URI, a department.
VCARD_40 = (
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "FN:Anna Weber\n"
    "N:Weber;Anna;;Dr.;\n"
    "EMAIL;TYPE=work:Anna.Weber@Weber-Consulting.de\n"
    'TEL;VALUE=uri;TYPE="cell,voice":tel:+49-30-1234567\n'
    "ORG:Weber Consulting GmbH;Vertrieb\n"
    "TITLE:Geschäftsführerin\n"
    "URL:https://www.linkedin.com/in/anna-weber-berlin\n"
    "URL:https://weber-consulting.de\n"
    "END:VCARD\n"
)


def _upload(client: Client, content: str | bytes, name: str = "contacts.vcf", encoding: str = "utf-8"):
    data = content.encode(encoding) if isinstance(content, str) else content
    return client.post(reverse("people:import"), {"file": SimpleUploadedFile(name, data)})


def test_vcards_of_every_version_bring_everyone_in_with_what_they_say(second) -> None:
    response = _upload(login(second), VCARD_21 + VCARD_30 + VCARD_40)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Import terminé" in page and "3 personnes lues" in page

    helene = Contact.objects.get(email="helene@atelier-theron.fr")  # the preferred address first
    assert helene.name == "Hélène Théron"
    assert (helene.organisation, helene.position, helene.phone) == (
        "Atelier Théron",
        "Gérante",
        "+33 6 12 34 56 78",
    )
    assert (helene.source, helene.chosen, helene.in_network) == (ContactSource.VCARD, True, True)
    assert set(helene.identities.filter(kind="email").values_list("value", flat=True)) == {
        "helene@atelier-theron.fr",
        "helene.theron@gmail.com",
    }
    notes = list(helene.notes.values_list("text", flat=True))
    assert "Rencontrée au salon de Lyon, côté ateliers, très bon contact." in notes
    assert any("+33 4 72 00 00 00" in n for n in notes)  # the second number is kept in a note

    jb = Contact.objects.get(email="jb.martin@martin-fils.fr")
    assert jb.name == "Jean-Baptiste Martin"
    assert jb.organisation == "Martin & Fils, SARL (Direction)"
    assert jb.linkedin_url == "https://www.linkedin.com/in/jb-martin"
    assert jb.tags == "Clients, Lyon"
    assert "Préfère le téléphone, le matin.\nA un fils à Paris." in jb.notes.values_list("text", flat=True)

    anna = Contact.objects.get(email="anna.weber@weber-consulting.de")
    assert (anna.name, anna.phone) == ("Anna Weber", "+49-30-1234567")
    assert anna.organisation == "Weber Consulting GmbH (Vertrieb)"
    assert anna.linkedin_url == "https://www.linkedin.com/in/anna-weber-berlin"
    assert any("https://weber-consulting.de" in n for n in anna.notes.values_list("text", flat=True))
    # The search finds them by what the file said.
    assert [hit.contact for hit in who_can("téléphone matin")] == [jb]


def test_importing_the_same_vcards_again_changes_nothing_and_says_so(second) -> None:
    client = login(second)
    _upload(client, VCARD_21 + VCARD_30 + VCARD_40)
    counts = (Contact.objects.count(), Identity.objects.count(), ContactNote.objects.count())
    page = _upload(client, VCARD_21 + VCARD_30 + VCARD_40).content.decode()
    assert (Contact.objects.count(), Identity.objects.count(), ContactNote.objects.count()) == counts
    assert "Rien n’a changé" in page
    assert '<div class="stat" id="count-unchanged"><div class="figure">3</div>' in page


def test_a_known_person_is_completed_and_what_the_team_wrote_stays(second) -> None:
    known = ContactFactory(
        name="Hélène T.", email="helene.theron@gmail.com", organisation="Atelier", phone="", chosen=False
    )
    page = _upload(login(second), VCARD_21).content.decode()
    known.refresh_from_db()
    assert Contact.objects.count() == 1
    assert (known.name, known.organisation) == ("Hélène T.", "Atelier")  # the team's words
    assert (known.phone, known.position) == ("+33 6 12 34 56 78", "Gérante")  # blanks filled
    assert known.chosen and known.in_network and known.source != ContactSource.VCARD
    assert known.identities.filter(kind="email", value="helene@atelier-theron.fr").exists()
    assert known.identities.filter(kind="name", value="Hélène Théron").exists()
    assert '<div class="stat" id="count-updated"><div class="figure">1</div>' in page


def test_a_person_is_found_by_another_of_their_addresses_or_their_linkedin_profile(second) -> None:
    by_address = ContactFactory(name="Anna W.", email="anna@private.example")
    Identity.objects.create(contact=by_address, kind="email", value="anna.weber@weber-consulting.de")
    by_profile = ContactFactory(name="J.-B.", email="", linkedin_url="https://www.linkedin.com/in/jb-martin")
    _upload(login(second), VCARD_30 + VCARD_40)
    assert Contact.objects.count() == 2
    by_profile.refresh_from_db()
    assert by_profile.email == "jb.martin@martin-fils.fr"  # it had none: filled
    assert by_address.identities.filter(kind="linkedin").exists()


def test_cards_without_a_name_are_kept_and_those_without_anyone_are_skipped_with_their_line(second) -> None:
    cards = (
        "BEGIN:VCARD\nVERSION:3.0\nEMAIL:sans.nom@exemple.fr\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:\nTEL:01 23 45 67 89\nORG:Boulangerie Dupain\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nN:;Zoé;;;\nEND:VCARD\n"
    )
    page = _upload(login(second), cards).content.decode()
    assert Contact.objects.filter(email="sans.nom@exemple.fr", name="").exists()
    assert Contact.objects.filter(name="Zoé", email="").exists()
    assert "Zoé n’a ni adresse e-mail ni profil LinkedIn\u00a0: gardé par son nom seulement" in page
    assert Contact.objects.count() == 2
    assert "<td>5</td>" in page  # the skipped card starts on line 5
    assert (
        "Ni nom, ni adresse e-mail, ni profil LinkedIn («\u00a0Boulangerie Dupain · 01 23 45 67 89\u00a0»)"
        in page
    )


def test_the_same_person_twice_in_a_file_is_one_person(second) -> None:
    again = VCARD_21.replace("TITLE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:G=C3=A9rante\r\n", "").replace(
        "TEL;WORK:+33 4 72 00 00 00\r\n", ""
    )
    page = _upload(login(second), VCARD_21 + again).content.decode()
    assert Contact.objects.count() == 1
    assert "1 ligne concernait une personne déjà rencontrée plus haut" in page


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "vide.vcf", "Ce fichier est vide."),
        (b"   \n\n", "blanc.vcf", "Ce fichier est vide."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "photo.vcf", "Ce fichier n’est pas du texte."),
        (b"PK\x03\x04\x14\x00\x06\x00", "contacts.xlsx", "un classeur Excel ou LibreOffice"),
        (b"FN:Jean Dupont\nEMAIL:jean@dupont.fr\n", "contacts.vcf", "Aucune vCard dans ce fichier"),
    ],
)
def test_files_that_are_not_vcards_are_refused_with_a_clear_message(second, content, name, message) -> None:
    response = _upload(login(second), content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Contact.objects.exists()


def test_a_broken_card_loses_nothing_of_the_others(second) -> None:
    broken = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ligne Cassée\nEMAIL:cassee@exemple.fr\nCECI N EST PAS UNE LIGNE\n"
        "PHOTO;ENCODING=b;TYPE=JPEG:%%%pas-du-base64\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Fin Coupée\nEMAIL:coupee@exemple.fr\n"
    )
    page = _upload(login(second), VCARD_40 + broken).content.decode()
    assert set(Contact.objects.values_list("name", flat=True)) == {"Anna Weber", "Ligne Cassée", "Fin Coupée"}
    assert "«\u00a0CECI N EST PAS UNE LIGNE\u00a0» n’a pas pu être lu" in page
    assert "Cette vCard n’est pas fermée (END:VCARD manque)" in page


def test_a_vcard_saved_in_windows_1252_is_read_with_its_accents(second) -> None:
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Frédérique Lefèvre\r\nEMAIL:f.lefevre@exemple.fr\r\nEND:VCARD\r\n"
    )
    _upload(login(second), card, encoding="cp1252")
    assert Contact.objects.get().name == "Frédérique Lefèvre"


def test_only_the_leader_and_the_second_import_people(leader, second, member) -> None:
    assert login(member).get(reverse("people:import")).status_code == 403
    assert _upload(login(member), VCARD_40).status_code == 403
    assert not Contact.objects.exists()
    assert login(leader).get(reverse("people:import")).status_code == 200
    page = login(second).get(reverse("people:network")).content.decode()
    assert reverse("people:import") in page and "Importer des personnes" in page


def test_cards_put_together_from_programs_with_different_encodings_keep_their_accents(second) -> None:
    utf8 = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Agnès Müller\r\nEMAIL:agnes@exemple.fr\r\nEND:VCARD\r\n"
    legacy = "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=WINDOWS-1252:Françoise Œuvrard\r\nEMAIL:f@exemple.fr\r\nEND:VCARD\r\n"
    _upload(login(second), utf8.encode("utf-8") + legacy.encode("cp1252"))
    assert set(Contact.objects.values_list("name", flat=True)) == {"Agnès Müller", "Françoise Œuvrard"}


def test_an_address_whose_street_ends_with_a_comma_gets_one_comma() -> None:
    from cercle.people.importing.vcard import read_vcards

    people, _problems = read_vcards(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Grace Hopper\nADR;TYPE=work:;;Silicon Alley 5,;New York;;10001;USA\nEND:VCARD\n"
    )
    [extra] = people[0].extras
    assert "Silicon Alley 5, New York, 10001, USA" in extra and ",," not in extra
