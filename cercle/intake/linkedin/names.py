"""Comparing people's names loosely. Pure."""

from __future__ import annotations

import unicodedata


def fold(name: str) -> str:
    """A name compared loosely: case, accents and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
