"""Bytes to text for imported files: which encoding, and whether it is text at all. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cercle.people.importing.records import ImportFileError

ENCODING_LABELS = {
    "utf-8": gettext_lazy("UTF-8"),
    "utf-8-sig": gettext_lazy("UTF-8"),
    "utf-16": gettext_lazy("UTF-16 (Unicode text)"),
    "cp1252": gettext_lazy("Windows-1252 (Western European)"),
    "latin-1": gettext_lazy("ISO-8859-1 (Latin-1)"),
    "mixed": gettext_lazy("UTF-8 and Windows-1252, line by line"),
}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str

    @property
    def encoding_label(self) -> str:
        return str(ENCODING_LABELS.get(self.encoding, self.encoding))


def _kind_of_binary(data: bytes) -> str | None:
    """What a file that is not text looks like, to say so plainly; None when it looks like text."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return _(
            "This is a compressed file (a ZIP, or an Excel or LibreOffice workbook). "
            "Save the sheet as CSV, or export the contacts as vCard, and upload that file."
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _("This is an old Excel or Word file. Save the sheet as CSV and upload that file.")
    if head.startswith(b"%PDF"):
        return _("This is a PDF document, not a list of contacts. Upload a .vcf or .csv file.")
    sample = data[:8192]
    if b"\x00" in sample:
        return _("This file is not text. Upload a .vcf or .csv file.")
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    if controls > max(8, len(sample) // 100):
        return _("This file is not text. Upload a .vcf or .csv file.")
    return None


def decode(data: bytes) -> Decoded:
    """The file's text: UTF-8 (with or without its mark), UTF-16 with its mark, else Windows-1252 (line
    by line when some lines are UTF-8), else Latin-1 (which reads any byte: the last resort).
    Raises ImportFileError for empty or binary files."""
    if not data.strip():
        raise ImportFileError(_("This file is empty."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16").lstrip("\ufeff").replace("\x00", ""), "utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("This file is not text. Upload a .vcf or .csv file.")) from exc
    binary = _kind_of_binary(data)
    if binary:
        raise ImportFileError(binary)
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        # A mark left in the middle by a careless concatenation would stick to a header or a name.
        return Decoded(data.decode(encoding).replace("\ufeff", ""), encoding)
    except UnicodeDecodeError:
        pass
    # Files put together from several sources (vCards exported by two programs, a sheet pasted into
    # another) mix UTF-8 lines with Windows-1252 ones: each line is read in the encoding it is in.
    lines = data.split(b"\n")
    if any(not line.isascii() and _utf8(line) is not None for line in lines):
        text = "\n".join(_utf8(line) or _legacy(line) for line in lines)
        return Decoded(text.replace("\ufeff", ""), "mixed")
    return Decoded(_legacy(data).replace("\ufeff", ""), "cp1252" if _is_cp1252(data) else "latin-1")


def _utf8(line: bytes) -> str | None:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _legacy(data: bytes) -> str:
    """Windows-1252 (what Excel and Outlook write in France), else Latin-1, which reads any byte."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")
