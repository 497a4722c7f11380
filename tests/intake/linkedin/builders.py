"""Synthetic LinkedIn exports, written the way LinkedIn writes them (current generation by default)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.utils import timezone

OWNER = "Léa Marchand"
OWNER_URL = "https://www.linkedin.com/in/lea-marchand"
MARC_URL = "https://www.linkedin.com/in/marc-durand"
ANNA_URL = "https://www.linkedin.com/in/anna-schmidt"

NOTES = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing. '
    "You will only see email addresses for connections who have allowed their connections to see or "
    'download their email address using this setting https://www.linkedin.com/psettings/privacy/email."\n'
    "\n"
)
PROFILE_HEADER = (
    "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,Geo Location,"
    "Twitter Handles,Websites,Instant Messengers"
)
CONNECTIONS_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
MESSAGES_HEADER = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,"
    "CONTENT,FOLDER,ATTACHMENTS"
)
INVITATIONS_HEADER = "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl"


def ago(days: float) -> datetime:
    return (timezone.now() - timedelta(days=days)).astimezone(UTC).replace(microsecond=0)


def utc(moment: datetime) -> str:
    """The messages.csv DATE format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def csv_text(header: str, rows: list[list[str]], *, preamble: str = "", newline: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    for row in rows:
        writer.writerow(row)
    return preamble.replace("\n", newline) + header + newline + out.getvalue()


def profile(first: str = "Léa", last: str = "Marchand") -> str:
    return csv_text(PROFILE_HEADER, [[first, last, "", "", "", "Conseil", "", "", "", "Paris", "", "", ""]])


def message(
    conversation: str,
    sender: str,
    sender_url: str,
    to: str,
    to_url: str,
    when: datetime,
    content: str,
    subject: str = "",
) -> list[str]:
    return [conversation, "", sender, sender_url, to, to_url, utc(when), subject, content, "INBOX", ""]


def from_marc(conversation: str, when: datetime, content: str) -> list[str]:
    return message(conversation, "Marc Durand", MARC_URL, OWNER, OWNER_URL, when, content)


def to_marc(conversation: str, when: datetime, content: str) -> list[str]:
    return message(conversation, OWNER, OWNER_URL, "Marc Durand", MARC_URL, when, content)


def messages(*rows: list[str], newline: str = "\n") -> str:
    return csv_text(MESSAGES_HEADER, list(rows), newline=newline)


def write_folder(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (root / name).write_bytes(data)
    return root


def zip_bytes(files: dict[str, str | bytes], *, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(prefix + name, content.encode("utf-8") if isinstance(content, str) else content)
    return buffer.getvalue()


def write_zip(path: Path, files: dict[str, str | bytes], *, prefix: str = "") -> Path:
    path.write_bytes(zip_bytes(files, prefix=prefix))
    return path
