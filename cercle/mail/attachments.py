"""Attachments on disk: content-addressed, so a file sent a hundred times is stored once.

`DATA_DIR/attachments/ab/cd/abcdef…` (the SHA-256 of the bytes): the sender's file name never
touches a path, it is only kept in the message's metadata for display. Files above the size cap
(`CERCLE_MAX_ATTACHMENT_BYTES`) are listed with the reason and not written; the raw message (kept
compressed with the message) still holds them, so nothing is lost.

Files are written before the database row commits. If that transaction rolls back the file stays
behind, unreferenced: harmless (the next import of the same bytes finds it), and a sweep can remove
files no message names.

Downloads (`intake:attachment`) go through `attachment_open`, `attachment_filename` and
`attachment_content_type`: the digest is checked before it becomes a path, the name is cleaned for
the Content-Disposition header, and only a short list of passive types is served as declared.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cercle.mail.parse import Attachment

log = logging.getLogger(__name__)

# Why an attachment was not written: codes in the data, labels for people.
TOO_LARGE = "too_large"
EMPTY = "empty"
NOT_WRITTEN = "not_written"
REASONS = {
    TOO_LARGE: _("Larger than the size limit: kept only in the original message."),
    EMPTY: _("Empty file."),
    NOT_WRITTEN: _("Could not be written to disk: kept only in the original message."),
}
# Listed as stored, but the file is not (or no longer) readable on disk.
MISSING = "missing"
MISSING_LABEL = _("The file is missing from the server: only the original message still holds it.")
UNKNOWN_LABEL = _("Not kept on the server: only the original message holds it.")

# Types served as declared: formats a browser shows passively or hands to another program. Anything
# else (HTML, SVG, XML, scripts, unknown types) is served as application/octet-stream.
SAFE_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/tiff",
        "text/plain",
        "text/csv",
        "text/calendar",
        "application/rtf",
        "application/zip",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
FALLBACK_TYPE = "application/octet-stream"


def attachments_root() -> Path:
    return Path(settings.DATA_DIR) / "attachments"


def attachment_path(sha256: str, *, root: Path | None = None) -> Path:
    """Where the bytes of this digest live (the digest is checked: it becomes a path)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 digest")
    return (root or attachments_root()) / sha256[:2] / sha256[2:4] / sha256


def _write(path: Path, data: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write aside then rename: a reader (or a crash) never sees half a file under the final name.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def attachments_store(
    attachments: list[Attachment], *, root: Path | None = None, max_bytes: int | None = None
) -> list[dict[str, Any]]:
    """Write each attachment's bytes (when under the cap) and return the metadata kept on the message."""
    root = root or attachments_root()
    cap: int = settings.CERCLE["MAX_ATTACHMENT_BYTES"] if max_bytes is None else max_bytes
    entries: list[dict[str, Any]] = []
    for attachment in attachments:
        data = attachment.payload
        digest = hashlib.sha256(data).hexdigest()
        entry: dict[str, Any] = {
            "name": attachment.filename,
            "type": attachment.content_type,
            "size": len(data),
            "sha256": digest,
            "stored": False,
            "reason": "",
            "role": attachment.role,
        }
        if attachment.inline:
            entry["inline"] = True
        if attachment.content_id:
            entry["content_id"] = attachment.content_id
        if attachment.calendar:
            entry["calendar"] = attachment.calendar
        if not data:
            entry["reason"] = EMPTY
        elif len(data) > cap:
            entry["reason"] = TOO_LARGE
        else:
            try:
                _write(attachment_path(digest, root=root), data)
                entry["stored"] = True
            except OSError as exc:  # a full or read-only disk must not lose the message itself
                entry["reason"] = NOT_WRITTEN
                entry["detail"] = str(exc.strerror or type(exc).__name__)[:200]
        entries.append(entry)
    return entries


# --- Reading back: downloads and the request page -------------------------------------------------


class AttachmentUnavailable(Exception):
    """An entry whose bytes cannot be served: `reason` is a REASONS code or MISSING."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def label(self) -> str:
        return str(reason_label(self.reason))


def reason_label(reason: str) -> str:
    """Why a file cannot be downloaded, for people."""
    if reason == MISSING:
        return str(MISSING_LABEL)
    return str(REASONS.get(reason, UNKNOWN_LABEL))


def attachment_open(entry: dict[str, Any], *, root: Path | None = None) -> BinaryIO:
    """The stored bytes of one `Message.attachments` entry, opened for reading.

    Raises `AttachmentUnavailable` when the entry was not stored (its `reason`), or when its digest is
    not a SHA-256 or the file is not on disk (MISSING): never a path outside the attachments folder.
    """
    if entry.get("stored") is not True:
        raise AttachmentUnavailable(str(entry.get("reason") or ""))
    try:
        path = attachment_path(str(entry.get("sha256", "")), root=root)
    except ValueError:
        raise AttachmentUnavailable(MISSING) from None
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise AttachmentUnavailable(MISSING) from None
    except OSError as exc:  # a directory, a permission problem: say so in the logs, not as a 500
        log.warning("attachment %s cannot be read: %s", path, exc)
        raise AttachmentUnavailable(MISSING) from None


def attachment_name(entry: dict[str, Any]) -> str:
    """The name shown for an entry (older entries used `filename` and `content_type`)."""
    for key in ("name", "filename", "type", "content_type"):
        value = entry.get(key)
        if value:
            return str(value)
    return "attachment"


def attachment_filename(entry: dict[str, Any]) -> str:
    """A file name for Content-Disposition: no path separators or control characters, never empty."""
    raw = str(entry.get("name") or entry.get("filename") or "")
    name = "".join(c if c.isprintable() and c not in "/\\" else "_" for c in raw)
    name = name.strip(" .")
    if not name:
        extension = mimetypes.guess_extension(attachment_content_type(entry)) or ".bin"
        return f"attachment{extension}"
    if len(name) > 150:
        stem, dot, extension = name.rpartition(".")
        keep = f"{dot}{extension}" if dot and stem and len(extension) <= 10 else ""
        name = name[: 150 - len(keep)] + keep
    return name


def attachment_content_type(entry: dict[str, Any]) -> str:
    """The Content-Type to serve: the declared type when it is passive (SAFE_TYPES), else octet-stream."""
    declared = str(entry.get("type") or entry.get("content_type") or "").split(";")[0].strip().lower()
    return declared if declared in SAFE_TYPES else FALLBACK_TYPE


@dataclass(frozen=True)
class ListedAttachment:
    """One line of a message's attachment list on the request page."""

    index: int
    name: str
    size: int
    stored: bool
    reason: str  # for people; empty when stored


def attachments_listed(entries: Any) -> list[ListedAttachment]:
    """A message's `attachments` as the request page shows them (malformed entries are skipped)."""
    if not isinstance(entries, list):
        return []
    listed = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        stored = entry.get("stored") is True
        size = entry.get("size")
        listed.append(
            ListedAttachment(
                index=index,
                name=attachment_name(entry),
                size=size if isinstance(size, int) else 0,
                stored=stored,
                reason="" if stored else reason_label(str(entry.get("reason") or "")),
            )
        )
    return listed
