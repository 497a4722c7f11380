"""Dates as LinkedIn exports (and spreadsheets re-saving them) write them. Pure."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from cercle.intake.linkedin.names import fold

_MONTHS = {
    "jan": 1, "feb": 2, "fev": 2, "mar": 3, "apr": 4, "avr": 4, "may": 5, "mai": 5, "jun": 6,
    "jul": 7, "aug": 8, "aou": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_TIME = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp]\.?[Mm]\.?)?)?"
_ZONE = r"\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})?"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + _ZONE, re.IGNORECASE)
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})" + _TIME + _ZONE, re.IGNORECASE)
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME + _ZONE, re.IGNORECASE)
_DAY_MONTH = re.compile(
    r"(\d{1,2})[\s\-./]+([^\W\d_]{3,})\.?[\s\-./,]+(\d{4}|\d{2})" + _TIME + _ZONE, re.IGNORECASE
)
_MONTH_DAY = re.compile(r"([^\W\d_]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})" + _TIME + _ZONE, re.IGNORECASE)


def _month(word: str) -> int | None:
    token = fold(word).rstrip(".")
    if token.startswith("juin"):
        return 6
    if token.startswith("juil"):
        return 7
    return _MONTHS.get(token[:3])


def _year(text: str) -> int:
    year = int(text)
    return year if year >= 100 else 2000 + year if year < 70 else 1900 + year


def parse_date(value: str) -> datetime | None:
    """An aware datetime from any date LinkedIn (or a spreadsheet) wrote; None when unreadable.

    A time without a zone is taken as UTC (the current exports write "UTC"); a date without a time
    is midnight in the hub's time zone. Years before LinkedIn existed are refused as garbage.
    """
    text = " ".join(value.strip().strip('"').split())
    if not text:
        return None
    parts: tuple[int, int, int] | None = None
    match = _ISO.fullmatch(text)
    if match:
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := _SLASHED.fullmatch(text):
        first, second = int(match[1]), int(match[2])
        if first > 12 >= second:  # 22/12/16: a day first, re-saved in a European spreadsheet
            first, second = second, first
        parts = (_year(match[3]), first, second)
    elif match := _DOTTED.fullmatch(text):
        parts = (int(match[3]), int(match[2]), int(match[1]))
    elif match := _DAY_MONTH.fullmatch(text):
        month = _month(match[2])
        parts = (_year(match[3]), month, int(match[1])) if month else None
    elif match := _MONTH_DAY.fullmatch(text):
        month = _month(match[1])
        parts = (int(match[3]), month, int(match[2])) if month else None
    if parts is None or match is None:
        return None
    hour_text, minute_text, second_text, meridiem, zone = match.group(4, 5, 6, 7, 8)
    try:
        day = date(*parts)
        if hour_text is None:
            result = timezone.make_aware(datetime.combine(day, time()), timezone.get_default_timezone())
        else:
            hour = int(hour_text)
            if meridiem:
                if not 1 <= hour <= 12:
                    return None
                hour = hour % 12 + (12 if meridiem[0] in "Pp" else 0)
            clock = time(hour, int(minute_text), int(second_text or 0))
            result = datetime.combine(day, clock, tzinfo=UTC)
            if zone and zone[0] in "+-":
                digits = zone.replace(":", "")
                offset = (int(digits[1:3]) * 60 + int(digits[3:5])) * (-1 if digits[0] == "-" else 1)
                result = result - timedelta(minutes=offset)
    except ValueError:  # 31 February, 25:00…
        return None
    if not 2002 <= result.year <= timezone.now().year + 1:
        return None
    return result
