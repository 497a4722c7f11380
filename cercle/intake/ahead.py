"""What an import's parsing process works out ahead of the process that writes (intake/files.py):
parsing, compression, the language, the sender's signature. Pure and free of Django, which that
process does not start: only the mail reader and the signature reader are imported here."""

from __future__ import annotations

import contextlib
import os

from cercle.core.processes import die_with_parent
from cercle.mail.parse import ParsedMessage, parse_many
from cercle.network.signature import signature_read

# The parsing process runs at a lower priority than the import (a niceness of 10 more): it works a batch
# ahead, while the batches are decided and written at the pace of the writing thread, writing nine
# tenths of the import's time. On two cores, three things want to run; at the same priority the writer
# waited 6.6-6.8 s of a 35 s import of 100,000 messages for a core, and 3.0-3.7 s when the parser gave
# way. Measured back to back three times, the import took 1.7-3.0 s less (5-8 %).
PARSER_NICENESS = 10


def parser_start(parent: int) -> None:
    """In the parsing process, as it starts: it dies with the import, and gives way to the import's
    other work when both want a core (`PARSER_NICENESS`)."""
    die_with_parent(parent)
    with contextlib.suppress(OSError):  # a system that refuses: the same work, at the same priority
        os.nice(PARSER_NICENESS)


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
