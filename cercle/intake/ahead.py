"""What an import's parsing process works out ahead of the process that writes (intake/files.py):
parsing, compression, the language, the sender's signature. Pure and free of Django, which that
process does not start: only the mail reader and the signature reader are imported here."""

from __future__ import annotations

from cercle.mail.parse import ParsedMessage, parse_many
from cercle.network.signature import signature_read


def parse_ahead(raws: list[bytes], max_text_chars: int) -> list[ParsedMessage]:
    """`parse_many(..., ahead=True)`, plus the phone and position of each message's signature, read
    under the sender's name as the message gives it (`_signature_fill` takes it when that is the name
    it would use, instead of reading the text again)."""
    found = parse_many(raws, max_text_chars, ahead=True)
    for parsed in found:
        if parsed.text:
            parsed.ahead["signature"] = signature_read(
                parsed.text, name=parsed.from_name, email=parsed.from_email
            )
    return found
