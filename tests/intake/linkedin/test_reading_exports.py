"""Reading a LinkedIn export: every generation in the corpus, and the defects people bring us."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cercle.intake.linkedin.export import ExportError, find_owner, parse_date, read_export
from tests.conftest import corpus_path
from tests.intake.linkedin import builders as b

# --- The real export generations (header rows and preambles cut from real exports) -----------


def test_the_2016_export_is_read_with_its_crlf_and_american_dates(db):
    export = read_export(corpus_path("linkedin-export", "2016-gsnaveen"))
    assert export.problems == []
    assert export.files == ["Connections.csv"]
    joe, laura, tom = export.connections
    assert joe.person.name == "Joe frank"
    assert joe.person.email == "joe_frank@noemail.com"
    assert joe.person.url == ""  # no URL column before ~2022
    assert (joe.company, joe.position) == ("Company A", "Publisher and Founder")
    assert joe.connected_on == datetime(2016, 12, 22, 9, 55, tzinfo=UTC)
    assert laura.connected_on == datetime(2016, 11, 21, 12, 39, tzinfo=UTC)
    assert tom.person.email == "tom_tob@noemail.com"


def _with_rows(header_file: Path, rows: str) -> bytes:
    """The real bytes of a header (and its preamble), followed by synthetic rows in its line ending."""
    head = header_file.read_bytes()
    newline = b"\r\n" if head.endswith(b"\r\n") else b"\n"
    return head + rows.replace("\n", newline.decode()).encode("utf-8")


@pytest.mark.parametrize(
    ("sample", "row", "expected_url", "expected_date"),
    [
        (
            "2018-abhishekwebcode-headers",
            "Nadia,Roux,nadia@client.example,Roux SA,CEO,04 Nov 2018\n",
            "",
            datetime(2018, 11, 4),
        ),
        (
            "2021-leonswl-headers",
            "Nadia,Roux,,Roux SA,CEO,12 Oct 2021\n",
            "",
            datetime(2021, 10, 12),
        ),
        (
            "2024-simplysuvi-headers",
            "Nadia,Roux,https://linkedin.com/in/nadia-roux/?trk=x,,Roux SA,CEO,19-Mar-24\n",
            "https://www.linkedin.com/in/nadia-roux",
            datetime(2024, 3, 19),
        ),
    ],
)
def test_every_generation_of_connections_header_is_recognised(
    db, tmp_path, sample, row, expected_url, expected_date
):
    real = corpus_path("linkedin-export", sample, "Connections.csv")
    folder = b.write_folder(tmp_path / sample, {"Connections.csv": _with_rows(real, row)})
    export = read_export(folder)
    assert export.problems == []
    (nadia,) = export.connections
    assert nadia.person.name == "Nadia Roux"
    assert nadia.person.url == expected_url
    assert nadia.company == "Roux SA"
    assert nadia.connected_on is not None
    assert nadia.connected_on.date() == expected_date.date()


def test_the_2018_messages_and_invitations_headers_give_directions(db, tmp_path):
    root = corpus_path("linkedin-export", "2018-abhishekwebcode-headers")
    folder = b.write_folder(
        tmp_path / "2018",
        {
            "Profile.csv": _with_rows(root / "Profile.csv", "Léa,Marchand,,,,,,,,,,,,,\n"),
            "Messages.csv": _with_rows(
                root / "Messages.csv",
                'Marc Durand,Léa Marchand,"11/3/18, 3:08 PM",Projet,"Bonjour Léa, un projet ?",INCOMING,INBOX\n'
                'Léa Marchand,Marc Durand,"11/3/18, 4:10 PM",RE: Projet,"Avec plaisir",OUTGOING,INBOX\n',
            ),
            "Invitations.csv": _with_rows(
                root / "Invitations.csv", 'Marc Durand,Léa Marchand,"10/1/18, 9:00 AM",Bonjour,INCOMING\n'
            ),
        },
    )
    export = read_export(folder)
    assert export.problems == []
    assert export.owner_name == "Léa Marchand"
    first, answer = export.messages
    assert (first.direction, answer.direction) == ("in", "out")
    assert first.sent_at == datetime(2018, 11, 3, 15, 8, tzinfo=UTC)
    assert first.subject == "Projet"
    # No conversation id in 2018: the same two people make the same conversation, whoever writes.
    assert first.conversation == answer.conversation
    assert export.invitations[0].direction == "in"


def test_every_sample_of_the_corpus_is_recognised_as_an_export(db):
    base = corpus_path("linkedin-export")
    samples = sorted(p for p in base.iterdir() if p.is_dir())
    assert len(samples) >= 4
    for sample in samples:
        export = read_export(sample)
        assert "Connections.csv" in export.files, sample.name
        assert not [p for p in export.problems if "column" in p[1] or "header" in p[1]], sample.name
        if sample.name.startswith("2018"):
            # Positions, Skills, Imported Contacts, Email Addresses are not ours to read.
            assert export.files == ["Profile.csv", "Connections.csv", "Invitations.csv", "Messages.csv"]


# --- Containers: ZIP, folder, nested folder, single file ------------------------------------


def _files() -> dict[str, str]:
    return {
        "Profile.csv": b.profile(),
        "Connections.csv": b.NOTES
        + b.CONNECTIONS_HEADER
        + "\nMarc,Durand,https://www.linkedin.com/in/marc-durand,,Durand & Fils,Gérant,15 Jan 2024\n",
        "messages.csv": b.messages(b.from_marc("c1", b.ago(3), "Bonjour Léa, nous avons besoin d'aide.")),
        "Rich_Media.csv": "Date/Time,Media Link\n",
    }


def test_a_zip_and_its_folder_read_the_same(db, tmp_path):
    files = _files()  # once: two calls a second apart would date the message differently
    from_zip = read_export(b.write_zip(tmp_path / "export.zip", files))
    from_folder = read_export(b.write_folder(tmp_path / "folder", files))
    assert from_zip.files == from_folder.files == ["Profile.csv", "Connections.csv", "messages.csv"]
    assert from_zip.connections == from_folder.connections
    assert [m.message_id for m in from_zip.messages] == [m.message_id for m in from_folder.messages]


def test_a_zip_with_its_files_in_a_folder_and_macos_litter_is_read(db, tmp_path):
    files = _files()
    path = b.write_zip(tmp_path / "export.zip", files, prefix="Basic_LinkedInDataExport_01-01-2025/")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("__MACOSX/Basic_LinkedInDataExport_01-01-2025/._Connections.csv", b"\x00\x05junk")
    export = read_export(path)
    assert [f.rsplit("/", 1)[1] for f in export.files] == ["Profile.csv", "Connections.csv", "messages.csv"]
    assert export.owner_name == "Léa Marchand"
    assert len(export.connections) == 1


def test_an_open_uploaded_file_is_read_like_a_path(db):
    export = read_export(io.BytesIO(b.zip_bytes(_files())), name="upload.zip")
    assert export.source == "upload.zip"
    assert len(export.messages) == 1


def test_one_csv_file_alone_is_an_export(db, tmp_path):
    path = tmp_path / "Connections.csv"
    path.write_text(_files()["Connections.csv"], encoding="utf-8")
    assert len(read_export(path).connections) == 1


def test_a_file_that_is_not_a_zip_is_refused_clearly(db, tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 not a zip")
    with pytest.raises(ExportError, match="not a ZIP"):
        read_export(path)


def test_a_zip_without_any_linkedin_file_is_refused_clearly(db, tmp_path):
    path = b.write_zip(tmp_path / "other.zip", {"Positions.csv": "Company Name,Title\n", "notes.txt": "hi"})
    with pytest.raises(ExportError, match="No LinkedIn file found"):
        read_export(path)


def test_a_zip_whose_csv_files_are_not_linkedin_s_is_refused_with_the_reasons(db, tmp_path):
    path = b.write_zip(
        tmp_path / "junk.zip", {"Connections.csv": "a,b,c\n1,2,3\n", "messages.csv": "foo;bar\n"}
    )
    with pytest.raises(ExportError, match="None of these files reads as a LinkedIn export") as refused:
        read_export(path)
    assert "Connections.csv" in str(refused.value) and "messages.csv" in str(refused.value)


def test_an_export_with_only_headers_is_an_empty_export_not_an_error(db, tmp_path):
    header = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    export = read_export(b.write_zip(tmp_path / "new-account.zip", {"Connections.csv": header}))
    assert export.files == ["Connections.csv"] and export.rows == 0


# --- Encodings, line endings, separators ----------------------------------------------------

ROW = (
    "Marc,Durand,https://www.linkedin.com/in/marc-durand,marc@durand.example,Durand & Fils,Gérant,15 Jan 2024"
)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param((b.NOTES + b.CONNECTIONS_HEADER + "\n" + ROW + "\n").encode(), id="notes-lf"),
        pytest.param(
            (b.NOTES + b.CONNECTIONS_HEADER + "\n" + ROW + "\n").replace("\n", "\r\n").encode(), id="crlf"
        ),
        pytest.param(b"\xef\xbb\xbf" + (b.CONNECTIONS_HEADER + "\n" + ROW + "\n").encode(), id="utf8-bom"),
        pytest.param((b.CONNECTIONS_HEADER + "\r\n" + ROW + "\r\n").encode("utf-16"), id="utf16"),
        pytest.param((b.CONNECTIONS_HEADER + "\n" + ROW + "\n").encode("cp1252"), id="windows-1252"),
        pytest.param(
            (b.CONNECTIONS_HEADER + "\n" + ROW + "\n").replace(",", ";").encode("utf-8"), id="semicolons"
        ),
    ],
)
def test_connections_survive_every_encoding_and_line_ending(db, tmp_path, data):
    export = read_export(b.write_folder(tmp_path, {"Connections.csv": data}))
    assert export.problems == []
    (marc,) = export.connections
    assert marc.person.name == "Marc Durand"
    assert marc.person.email == "marc@durand.example"
    assert marc.position == "Gérant"
    assert marc.connected_on is not None and marc.connected_on.date().isoformat() == "2024-01-15"


def test_a_message_with_line_breaks_and_commas_inside_quotes_stays_one_message(db, tmp_path):
    text = b.messages(
        b.from_marc("c1", b.ago(1), 'Bonjour Léa,\r\nligne deux, avec "guillemets"\r\n\r\nMarc'),
        newline="\r\n",
    )
    export = read_export(b.write_folder(tmp_path, {"messages.csv": text}))
    (only,) = export.messages
    assert only.text == 'Bonjour Léa,\nligne deux, avec "guillemets"\n\nMarc'


def test_html_content_is_kept_as_text(db, tmp_path):
    text = b.messages(b.from_marc("c1", b.ago(1), "<p>Bonjour&nbsp;Léa</p><p>On se voit ?<br>Marc</p>"))
    (only,) = read_export(b.write_folder(tmp_path, {"messages.csv": text})).messages
    assert only.text == "Bonjour\xa0Léa\nOn se voit ?\nMarc"


# --- Bad rows and bad files are reported, never raised --------------------------------------


def test_missing_required_columns_ignore_the_file_with_a_reason(db, tmp_path):
    folder = b.write_folder(
        tmp_path,
        {
            "messages.csv": "CONVERSATION ID,FROM,TO,SUBJECT\nc1,Marc,Léa,Hi\n",
            "Connections.csv": "First Name,Last Name,Company\nMarc,Durand,Durand & Fils\n",
        },
    )
    export = read_export(folder)
    assert export.messages == []
    assert ("messages.csv", "missing column(s) CONTENT, DATE: file ignored") in export.problems
    # Connections without a date still give contacts, and say so.
    assert len(export.connections) == 1
    assert export.connections[0].connected_on is None
    assert any(where == "Connections.csv" and "Connected On" in why for where, why in export.problems)


def test_garbage_dates_and_empty_rows_are_reported_row_by_row(db, tmp_path):
    text = b.messages(
        b.from_marc("c1", b.ago(1), "Good"),
        ["c1", "", "Marc Durand", b.MARC_URL, "Léa", b.OWNER_URL, "not a date", "", "Bad", "INBOX", ""],
        ["c1", "", "", "", "Léa", b.OWNER_URL, b.utc(b.ago(1)), "", "Nobody sent this", "INBOX", ""],
        ["", "", "", "", "", "", "", "", "", "", ""],
    )
    connections = b.CONNECTIONS_HEADER + "\n" + ",,,,Acme,,\nAnna,Schmidt,,,,,31/31/2023\n"
    export = read_export(b.write_folder(tmp_path, {"messages.csv": text, "Connections.csv": connections}))
    assert [m.text for m in export.messages] == ["Good"]
    assert ("messages.csv:3", "unreadable date “not a date”") in export.problems
    assert ("messages.csv:4", "no sender") in export.problems
    assert ("Connections.csv:2", "no name, profile URL or e-mail") in export.problems
    assert any(w == "Connections.csv:3" and "unreadable date" in why for w, why in export.problems)
    assert export.connections[0].connected_on is None


def test_a_row_with_more_fields_than_the_header_is_skipped(db, tmp_path):
    data = (
        b.CONNECTIONS_HEADER + "\nMarc,Durand,,,Durand, Fils et Cie,Gérant,15 Jan 2024\nAnna,Schmidt,,,,,\n"
    )
    export = read_export(b.write_folder(tmp_path, {"Connections.csv": data}))
    assert [c.person.name for c in export.connections] == ["Anna Schmidt"]
    assert export.problems == [("Connections.csv:2", "8 fields where the header has 7")]


def test_drafts_are_not_messages(db, tmp_path):
    header = b.MESSAGES_HEADER.replace(",ATTACHMENTS", ",IS MESSAGE DRAFT")
    row = b.from_marc("c1", b.ago(1), "brouillon")
    row[-1] = "Yes"
    export = read_export(b.write_folder(tmp_path, {"messages.csv": b.csv_text(header, [row])}))
    assert export.messages == []
    assert export.problems == [("messages.csv:2", "draft, never sent")]


# --- Dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-05-01 14:22:10 UTC", "2023-05-01T14:22:10+00:00"),
        ("2023-05-01T14:22:10+02:00", "2023-05-01T12:22:10+00:00"),
        ("12/22/16, 9:55 AM", "2016-12-22T09:55:00+00:00"),
        ("3/15/23, 10:22 PM", "2023-03-15T22:22:00+00:00"),
        ("3/15/23, 12:05 AM", "2023-03-15T00:05:00+00:00"),
        ("15 Jan 2024", "2024-01-15T00:00:00+01:00"),
        ("19-Mar-24", "2024-03-19T00:00:00+01:00"),
        ("2024-01-15", "2024-01-15T00:00:00+01:00"),
        ("Mar 15, 2023", "2023-03-15T00:00:00+01:00"),
        ("31/12/2023", "2023-12-31T00:00:00+01:00"),
        ("01 janv. 2024", "2024-01-01T00:00:00+01:00"),
        ("15 août 2024", "2024-08-15T00:00:00+02:00"),
        ("19-juil-24", "2024-07-19T00:00:00+02:00"),
    ],
)
def test_dates_of_every_generation_and_spreadsheet_are_read(text, expected):
    parsed = parse_date(text)
    assert parsed is not None and parsed.isoformat() == expected


@pytest.mark.parametrize(
    "text", ["", "garbage", "2024-02-30", "1/1/70", "13 Foo 2024", "25:00", "3/15/23, 13:00 PM"]
)
def test_garbage_dates_are_none(text):
    assert parse_date(text) is None


# --- Who owns the export -------------------------------------------------------------------


def test_the_owner_comes_from_the_profile_and_their_url_from_the_messages(db, tmp_path):
    files = {"Profile.csv": b.profile(), "messages.csv": b.messages(b.to_marc("c1", b.ago(1), "Salut"))}
    owner = find_owner(read_export(b.write_folder(tmp_path, files)))
    assert owner.how == "Léa Marchand"
    assert owner.urls == {b.OWNER_URL}


def test_without_a_profile_the_owner_is_the_person_in_every_conversation(db, tmp_path):
    text = b.messages(
        b.from_marc("c1", b.ago(2), "Bonjour"),
        b.message("c2", "Anna Schmidt", b.ANNA_URL, b.OWNER, b.OWNER_URL, b.ago(1), "Hello"),
    )
    owner = find_owner(read_export(b.write_folder(tmp_path, {"messages.csv": text})))
    assert owner.urls == {b.OWNER_URL}
    assert owner.how == b.OWNER


def test_one_conversation_without_a_profile_leaves_the_owner_unknown(db, tmp_path):
    text = b.messages(b.from_marc("c1", b.ago(2), "Bonjour"), b.to_marc("c1", b.ago(1), "Salut"))
    assert not find_owner(read_export(b.write_folder(tmp_path, {"messages.csv": text}))).known
