"""CSV lines that a spreadsheet opens safely: one place for every CSV export.

A cell whose text starts with `=`, `+`, `-`, `@` (or a tab or carriage return) would be read as a formula
by a spreadsheet app (CSV injection): such text gets a leading apostrophe, which the app shows as text.
Numbers are written as they are (a negative value stays a number), and so is text made of a sign and
digits only, such as a telephone number "+33 6 12 34 56 78": no function or reference can hide in it."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

# Downloads meant for spreadsheet apps start with it: without it, Excel reads UTF-8 as Windows-1252.
BOM = "\ufeff"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-][0-9 ().,/-]*")


def cell(value: object) -> object:
    """`value` as a CSV cell: None is empty, text that would start a formula is quoted as text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_line(row: Iterable[object]) -> str:
    """One CSV line (`\\n`-terminated, quoted as needed) of safe cells."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([cell(value) for value in row])
    return buffer.getvalue()
