"""Importing people from a CSV file: encoding and separator found, columns guessed from French and
English headers and checked by a person, duplicates merged, 10,000 rows, bad files refused clearly."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cercle.network.models import Contact, ContactNote, ContactSearch, ContactSource, Identity, Interaction
from cercle.network.search import contact_document
from cercle.people.importing import forms as import_forms
from cercle.people.importing.csvfile import CsvTable, guess_mapping, people_from_rows, read_csv
from cercle.people.importing.searchbatch import search_index_many
from cercle.people.importing.textfile import decode
from tests.conftest import login
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

# A sheet typed by hand in French Excel, saved as "CSV (séparateur : point-virgule)": Windows-1252.
FRENCH = (
    "Prénom;Nom;Adresse e-mail;Société;Fonction;Téléphone;Étiquettes;Commentaire\r\n"
    "Hélène;Théron;helene@atelier-theron.fr;Atelier Théron;Gérante;06 12 34 56 78;Lyon, artisans;"
    "Rencontrée au salon « Made in Lyon », très bon contact.\r\n"
    "Jérôme;Lefèvre;j.lefevre@exemple.fr;;Comptable;;;\r\n"
    ";;;Boulangerie Dupain;;01 23 45 67 89;;\r\n"
    "Zoé;;zoe@gmail.com;;;;;\r\n"
)


def _upload(client: Client, data: bytes, name: str = "contacts.csv"):
    return client.post(reverse("people:import"), {"file": SimpleUploadedFile(name, data)})


def _mapping_page(client: Client, data: bytes, name: str = "contacts.csv") -> tuple[str, str]:
    response = _upload(client, data, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"], client.get(response["Location"]).content.decode()


def _chosen(page: str) -> dict[str, str]:
    """The mapping the page proposes: field name -> selected target."""
    found = {}
    for select in re.findall(r'<select name="(col_\d+)".*?</select>', page, re.S):
        block = re.search(rf'<select name="{select}".*?</select>', page, re.S).group(0)  # type: ignore[union-attr]
        found[select] = re.search(r'<option value="([^"]+)" selected>', block).group(1)  # type: ignore[union-attr]
    return found


def _import(client: Client, data: bytes, name: str = "contacts.csv", **changes: str) -> str:
    url, page = _mapping_page(client, data, name)
    response = client.post(url, {**_chosen(page), **changes})
    assert response.status_code == 200, response.content.decode()[:3000]
    return response.content.decode()


def test_a_french_spreadsheet_in_windows_1252_is_read_and_its_columns_guessed(second) -> None:
    client = login(second)
    url, page = _mapping_page(client, FRENCH.encode("cp1252"))
    assert (
        "4 lignes, lues en Windows-1252 (Europe occidentale)\u00a0; séparateur\u00a0: point-virgule" in page
    )
    assert "Rencontrée au salon « Made in Lyon »" in page  # the preview, accents intact
    assert _chosen(page) == {
        "col_0": "first_name",
        "col_1": "last_name",
        "col_2": "email",
        "col_3": "organisation",
        "col_4": "position",
        "col_5": "phone",
        "col_6": "tags",
        "col_7": "notes",
    }
    result = client.post(url, _chosen(page)).content.decode()
    assert '<div class="stat" id="count-created"><div class="figure">3</div>' in result

    helene = Contact.objects.get(email="helene@atelier-theron.fr")
    assert (helene.name, helene.organisation, helene.position) == (
        "Hélène Théron",
        "Atelier Théron",
        "Gérante",
    )
    assert (helene.phone, helene.tags, helene.source) == (
        "06 12 34 56 78",
        "Lyon, artisans",
        ContactSource.CSV,
    )
    assert helene.chosen and helene.in_network
    assert list(helene.notes.values_list("text", flat=True)) == [
        "Rencontrée au salon « Made in Lyon », très bon contact."
    ]
    assert ContactSearch.objects.filter(contact=helene, document__contains="salon").exists()
    jerome = Contact.objects.get(email="j.lefevre@exemple.fr")
    assert jerome.organisation == "exemple.fr"  # guessed from a company address
    assert Contact.objects.get(email="zoe@gmail.com").organisation == ""  # not from a free-mail one
    # The row with neither name, address nor profile: its line and what it held.
    assert "<td>4</td>" in result
    assert (
        "Ni nom, ni adresse e-mail, ni profil LinkedIn («\u00a0Boulangerie Dupain · 01 23 45 67 89\u00a0»)"
        in result
    )
    # The kept file is gone once imported (its token is the last part of the mapping page's address).
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert not list((Path(settings.DATA_DIR) / "people-imports").glob(f"{token}*"))
    assert client.get(url).status_code == 302


def test_importing_the_same_file_again_changes_nothing_and_says_so(second) -> None:
    client = login(second)
    _import(client, FRENCH.encode("cp1252"))
    counts = (Contact.objects.count(), Identity.objects.count(), ContactNote.objects.count())
    page = _import(client, FRENCH.encode("cp1252"))
    assert (Contact.objects.count(), Identity.objects.count(), ContactNote.objects.count()) == counts
    assert "Rien n’a changé" in page
    assert '<div class="stat" id="count-unchanged"><div class="figure">3</div>' in page


def test_what_the_team_wrote_is_never_replaced(second) -> None:
    known = ContactFactory(
        name="Hélène (atelier)", email="helene@atelier-theron.fr", organisation="Théron & Cie", phone="04 00"
    )
    page = _import(login(second), FRENCH.encode("cp1252"))
    known.refresh_from_db()
    assert (known.name, known.organisation, known.phone) == ("Hélène (atelier)", "Théron & Cie", "04 00")
    assert (known.position, known.tags) == ("Gérante", "Lyon, artisans")  # what was empty is filled
    assert known.notes.count() == 1 and known.source == ContactSource.MAIL
    assert '<div class="stat" id="count-updated"><div class="figure">1</div>' in page


def test_duplicate_rows_in_a_file_are_one_person(second) -> None:
    data = (
        b"Name,Email,Other email,LinkedIn,Company\n"
        b"Anna Weber,anna@weber.de,,,Weber GmbH\n"
        b"Anna Weber,ANNA@weber.de,,,\n"
        b"A. Weber,anna.private@web.de,anna@weber.de,,\n"
        b"Anna W.,,,https://de.linkedin.com/in/annaweber/,\n"
        b"Anna Weber,anna@weber.de,,linkedin.com/in/AnnaWeber,\n"
        b"Ohne Adresse,,,,\n"
        b"Ohne Adresse,,,,\n"
    )
    page = _import(login(second), data)
    anna = Contact.objects.get(email="anna@weber.de")
    assert Contact.objects.count() == 2  # Anna, and the name-only row (twice)
    assert anna.linkedin_url == "https://www.linkedin.com/in/annaweber"
    assert set(anna.identities.filter(kind="email").values_list("value", flat=True)) == {
        "anna@weber.de",
        "anna.private@web.de",
    }
    assert set(anna.identities.filter(kind="name").values_list("value", flat=True)) == {
        "Anna Weber",
        "A. Weber",
        "Anna W.",
    }
    assert "5 lignes concernaient une personne déjà rencontrée plus haut" in page
    assert Contact.objects.filter(name="Ohne Adresse").count() == 1


def test_ten_thousand_rows_are_imported_and_counted(second) -> None:
    lines = ["Prénom;Nom;E-mail;Société;Notes"]
    for i in range(10_000):
        if i % 1000 == 999:
            lines.append(";;;Sans personne;ligne vide de personne")  # skipped: 10 of them
        elif i % 500 == 250:
            lines.append(f"Prénom{i - 1};Nom{i - 1};P{i - 1}@societe{(i - 1) % 50}.fr;;")  # 20 duplicates
        else:
            lines.append(f"Prénom{i};Nom{i};p{i}@societe{i % 50}.fr;Société {i % 50};Vu au salon {i % 7}")
    data = "\r\n".join(lines).encode("utf-8-sig")
    client = login(second)
    page = _import(client, data, name="gros.csv")
    skipped, duplicates = 10, 20
    assert Contact.objects.filter(source=ContactSource.CSV).count() == 10_000 - skipped - duplicates
    assert ContactSearch.objects.count() == 10_000 - skipped - duplicates
    assert f'id="count-created"><div class="figure">{10_000 - skipped - duplicates}</div>' in page
    assert f'id="count-skipped"><div class="figure">{skipped}</div>' in page
    again = _import(client, data, name="gros.csv")
    assert f'id="count-unchanged"><div class="figure">{10_000 - skipped - duplicates}</div>' in again


def test_rows_without_a_name_keep_their_address_and_bad_values_are_kept_in_a_note(second) -> None:
    data = (
        b"Nom;E-mail;Profil LinkedIn\n"
        b";sans.nom@exemple.fr;\n"
        b"Paul Virgule;paul(at)exemple.fr;https://twitter.com/paul\n"
    )
    page = _import(login(second), data)
    assert Contact.objects.get(email="sans.nom@exemple.fr").name == ""
    paul = Contact.objects.get(name="Paul Virgule")
    assert paul.email == "" and paul.linkedin_url == ""
    note = paul.notes.get().text
    assert "paul(at)exemple.fr" in note and "https://twitter.com/paul" in note
    assert "«\u00a0paul(at)exemple.fr\u00a0» n’est pas une adresse e-mail\u00a0: gardé dans la note." in page


def test_a_lone_nom_column_holds_the_whole_name_and_english_exports_are_understood() -> None:
    def guess(headers: list[str]) -> list[str]:
        return guess_mapping(CsvTable(headers=headers, rows=[(2, [""] * len(headers))], delimiter=","))

    assert guess(["Nom", "Courriel", "Entreprise"]) == ["name", "email", "organisation"]
    outlook = [
        "Title",
        "First Name",
        "Middle Name",
        "Last Name",
        "Company",
        "Job Title",
        "E-mail Address",
        "E-mail Type",
        "E-mail Display Name",
        "E-mail 2 Address",
        "Mobile Phone",
        "Categories",
        "Notes",
    ]
    assert guess(outlook) == [
        "ignore",
        "first_name",
        "ignore",
        "last_name",
        "organisation",
        "position",
        "email",
        "ignore",
        "ignore",
        "other_email",
        "phone",
        "tags",
        "notes",
    ]
    google = [
        "Name",
        "Given Name",
        "Family Name",
        "E-mail 1 - Type",
        "E-mail 1 - Value",
        "E-mail 2 - Value",
        "Organization 1 - Name",
        "Organization 1 - Title",
        "Phone 1 - Value",
        "Group Membership",
    ]
    assert guess(google) == [
        "name",
        "first_name",
        "last_name",
        "ignore",
        "email",
        "other_email",
        "organisation",
        "position",
        "phone",
        "tags",
    ]
    # Headers saying nothing: the values tell.
    table = CsvTable(
        headers=["A", "B", "C"],
        rows=[(2, ["Jean", "jean@x.fr", "https://www.linkedin.com/in/jean"]), (3, ["Luc", "luc@y.fr", ""])],
        delimiter=",",
    )
    assert guess_mapping(table) == ["ignore", "email", "linkedin"]


def test_a_comma_separated_file_with_quotes_and_line_breaks_in_cells_is_read() -> None:
    table = read_csv(
        'Name,Notes,Email\n"Dupont, Jean","Première ligne\nseconde ligne",jean@dupont.fr\nLuc,,luc@x.fr\n'
    )
    assert table.delimiter == ","
    assert table.rows[0] == (2, ["Dupont, Jean", "Première ligne\nseconde ligne", "jean@dupont.fr"])
    assert table.rows[1][0] == 4  # its line in the file, after the cell on two lines


def test_a_quotation_mark_never_closed_is_said_not_imported_as_a_person() -> None:
    # Before, the rest of the file became one cell: one "person" named after every line below.
    table = read_csv('Name,Email\nLuc,luc@x.fr\n"Jean Dupont,jean@x.fr\nMarie,marie@x.fr\n')
    assert table.rows == [(2, ["Luc", "luc@x.fr"])]
    assert [p.line for p in table.skipped] == [3] and "never closed" in table.skipped[0].reason
    # A cell on two lines, closed, is not taken for one.
    closed = read_csv('Name,Notes\nLuc,"one\ntwo"\n')
    assert closed.rows == [(2, ["Luc", "one\ntwo"])] and not closed.skipped


def test_the_mapping_must_say_who_the_people_are(second) -> None:
    client = login(second)
    url, page = _mapping_page(client, FRENCH.encode("cp1252"))
    nobody = {name: "ignore" for name in _chosen(page)} | {"col_3": "organisation"}
    response = client.post(url, nobody)
    assert response.status_code == 400
    assert "Choisissez au moins une colonne pour le nom, l’adresse e-mail ou le profil LinkedIn." in (
        response.content.decode()
    )
    twice = _chosen(page) | {"col_4": "organisation"}
    assert (
        "Une seule colonne peut être «\u00a0Organisation\u00a0»." in client.post(url, twice).content.decode()
    )
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Ce fichier est vide."),
        (b"\r\n;;\r\n", "Ce fichier est vide."),
        (b"Nom;E-mail\r\n", "Ce fichier a une ligne d’en-têtes mais aucune ligne en dessous."),
        (b"Nom\x00;E-mail\x00\r\nJean\x00;jean@x.fr", "Ce fichier n’est pas du texte."),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "Enregistrez la feuille en CSV"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "C’est un document PDF"),
        (
            b'Nom,E-mail\r\n"Jean Dupont,jean@x.fr\r\nMarie,marie@x.fr\r\n',
            "ouvert ligne\u00a02 n’est jamais fermé",
        ),
    ],
)
def test_files_that_cannot_be_imported_get_a_clear_message(second, content, message) -> None:
    response = _upload(login(second), content)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_file_too_large_is_refused_before_it_is_read(second, monkeypatch) -> None:
    monkeypatch.setattr(import_forms, "MAX_UPLOAD_BYTES", 1024 * 1024)
    response = _upload(login(second), b"Nom;E-mail\r\n" + b"Jean;jean@x.fr\r\n" * 80_000)
    assert response.status_code == 400
    assert (
        "Ce fichier dépasse 1\u00a0Mo\u00a0: découpez-le en fichiers plus petits."
        in response.content.decode()
    )


def test_a_kept_file_is_reachable_only_from_the_session_that_sent_it(leader, second) -> None:
    url, _page = _mapping_page(login(second), FRENCH.encode("cp1252"))
    response = login(leader).get(url)
    assert response.status_code == 302 and response["Location"] == reverse("people:import")
    traversal = reverse("people:import_csv_map", args=["..%2F..%2Fcercle.sqlite3"])
    assert login(second).get(traversal).status_code in (302, 404)


def test_only_the_leader_and_the_second_import_a_csv(second, member) -> None:
    url, _page = _mapping_page(login(second), FRENCH.encode("cp1252"))
    assert login(member).get(url).status_code == 403
    assert _upload(login(member), FRENCH.encode("cp1252")).status_code == 403


def test_the_batched_search_text_is_the_one_a_single_refresh_writes(second) -> None:
    contact = ContactFactory(name="Inès Carbone", offers="Bilans carbone", tags="climat, PME")
    now = timezone.now()
    for i in range(3):
        note = ContactNote.objects.create(contact=contact, text=f"Note {i} sur la comptabilité")
        ContactNote.objects.filter(pk=note.pk).update(created_at=now - timedelta(days=i))
        Interaction.objects.create(
            contact=contact, kind="mail", at=now - timedelta(days=i), subject=f"Devis {i}", source_key=f"k{i}"
        )
    search_index_many([contact])
    assert ContactSearch.objects.get(contact=contact).document == contact_document(contact)


def test_excel_unicode_text_and_google_labels_are_understood() -> None:
    data = "Name\tE-mail 1 - Value\tGroup Membership\r\nÉlise Ñúñez\telise@exemple.es\t* myContacts ::: Clients ::: Espagne\r\n"
    decoded = decode(data.encode("utf-16"))
    table = read_csv(decoded.text)
    assert (decoded.encoding, table.delimiter) == ("utf-16", "\t")
    (person,) = people_from_rows(table, guess_mapping(table))
    assert (person.name, person.emails, person.tag_text) == (
        "Élise Ñúñez",
        ["elise@exemple.es"],
        "Clients, Espagne",
    )


def test_the_upload_field_is_described_by_its_help_text(second) -> None:
    import re

    page = login(second).get(reverse("people:import")).content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', page)
    assert described and all(f'id="{ref}"' in page for refs in described for ref in refs.split())
