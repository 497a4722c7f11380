"""`cercle import_linkedin PATH [--since-days N]`: progress, summary, and clear refusals."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cercle.circulation.models import Request
from cercle.network.models import Contact
from tests.conftest import corpus_path
from tests.intake.linkedin import builders as b


def _zip(tmp_path):
    files = {
        "Profile.csv": b.profile(),
        "Connections.csv": b.NOTES
        + b.CONNECTIONS_HEADER
        + "\nAnna,Schmidt,https://www.linkedin.com/in/anna-schmidt,,,,02 Feb 2025\n",
        "messages.csv": b.messages(
            b.from_marc("c1", b.ago(40), "Bonjour Léa, un projet ?"),
            b.from_marc("c2", b.ago(5), "Bonjour Léa, un autre projet ?"),
        ),
    }
    return b.write_zip(tmp_path / "Basic_LinkedInDataExport.zip", files)


def test_the_command_imports_a_zip_and_ends_with_a_summary(db, tmp_path):
    out = StringIO()
    call_command("import_linkedin", str(_zip(tmp_path)), stdout=out)
    output = out.getvalue()
    assert "import_linkedin: 2 contacts created" in output
    assert "2 new requests" in output
    assert "owner: Léa Marchand" in output
    assert Request.objects.count() == 2


def test_since_days_limits_which_messages_become_requests(db, tmp_path):
    out = StringIO()
    call_command("import_linkedin", str(_zip(tmp_path)), "--since-days", "30", stdout=out)
    assert list(Request.objects.values_list("summary", flat=True)) == ["Bonjour Léa, un autre projet ?"]
    assert re.search(r"\b1 new requests\b", out.getvalue()), out.getvalue()


def test_the_command_reads_an_unpacked_corpus_folder(db, tmp_path):
    out = StringIO()
    call_command("import_linkedin", str(corpus_path("linkedin-export", "2016-gsnaveen")), stdout=out)
    assert "3 contacts created" in out.getvalue()
    assert Contact.objects.count() == 3


def test_a_missing_path_or_a_file_that_is_not_an_export_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_linkedin", str(tmp_path / "nope.zip"), stdout=StringIO())
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(CommandError, match="not a ZIP"):
        call_command("import_linkedin", str(text), stdout=StringIO())
    with pytest.raises(CommandError, match="--since-days"):
        call_command("import_linkedin", str(_zip(tmp_path)), "--since-days", "-1", stdout=StringIO())
    assert Contact.objects.count() == 0
