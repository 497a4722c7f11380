"""A large import parses its next batch in a process of its own (intake/files.py `_Parser`), which gives
way to the import's other work when both want a core: it runs at a lower priority."""

from __future__ import annotations

import os

from cercle.intake import files
from cercle.intake.ahead import PARSER_NICENESS
from cercle.intake.files import BatchItem, _Parser

RAW = b"From: Ana <ana@example.org>\nTo: leader@example.org\nSubject: Un devis\nMessage-ID: <p1@example.org>\n\nBonjour, pouvez-vous nous aider ?\n"


def test_the_parsing_process_runs_at_a_lower_priority_and_parses_as_this_one_does():
    parser = _Parser(max_chars=100_000)
    parser.use_a_worker()
    try:
        assert parser.pool is not None, "this machine has one core: no parsing process"
        child = parser.pool.submit(os.nice, 0).result(timeout=60)
        mine = os.nice(0)
        assert child == min(19, mine + PARSER_NICENESS)
        assert child > mine or mine == 19  # it gives way to this process
        here, there = BatchItem("a", RAW, ""), BatchItem("b", RAW, "")
        files._Parser(max_chars=100_000).start([here])()  # no worker: parsed in this process
        parser.start([there])()
    finally:
        parser.stop()
    assert there.parsed is not None and here.parsed is not None
    assert there.parsed.subject == here.parsed.subject == "Un devis"
    assert there.parsed.message_id == here.parsed.message_id == "<p1@example.org>"
    assert there.parsed.language == "fr"  # worked out ahead, in that process
