"""`cercle eval triage` on a small part of the real corpus (the full run is a command, not a test)."""

from __future__ import annotations

import re
import shutil
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from cercle.triage import evaluation
from tests.conftest import corpus_path, require_component

LINE = re.compile(
    r"^triage: (\d+) messages, cercle F1 ([\d.]+) msg/s ([\d.]+), spamassassin F1 (\S+) msg/s (\S+), "
    r"speed ratio X/Y = (\S+)$",
    re.M,
)


def _subset(tmp_path: Path, ham: int, spam: int) -> tuple[Path, Path]:
    source = corpus_path("spamassassin")
    out = []
    for folder, n in (("easy_ham", ham), ("spam", spam)):
        target = tmp_path / folder
        target.mkdir()
        for file in sorted((source / folder).iterdir())[:n]:
            shutil.copy(file, target / file.name)
        out.append(target)
    return out[0], out[1]


def test_ham_vs_spam_on_a_fixed_split_of_the_given_directories(tmp_path):
    ham, spam = _subset(tmp_path, 120, 60)
    out = StringIO()
    call_command("eval", "triage", "--ham", str(ham), "--spam", str(spam), stdout=out)
    text = out.getvalue()
    match = LINE.search(text)
    assert match, text
    n, f1, rate = int(match.group(1)), float(match.group(2)), float(match.group(3))
    assert 30 <= n <= 80  # about 30 % of 180, by the hash of each file name
    assert f1 > 0.7 and rate > 50
    assert match.group(4) == "n/a"  # SpamAssassin only with --spamassassin
    assert "precision" in text and "needs a human (ham) vs noise" in text


def test_explicit_training_directories_and_spamassassin_side_by_side(tmp_path):
    missing = evaluation.spamassassin_available()
    require_component(
        "SpamAssassin",
        not missing,
        f"{missing} not found: install spamassassin spamc spamd (make system-deps)",
    )
    (tmp_path / "train").mkdir()
    train_ham, train_spam = _subset(tmp_path / "train", 40, 20)
    test_dir = tmp_path / "test"
    test_dir.mkdir()
    source = corpus_path("spamassassin")
    for folder, n in (("easy_ham", 6), ("spam", 4)):
        (test_dir / folder).mkdir()
        for file in sorted((source / folder).iterdir())[-n:]:
            shutil.copy(file, test_dir / folder / file.name)
    out = StringIO()
    call_command(
        "eval", "triage",
        "--ham", str(test_dir / "easy_ham"), "--spam", str(test_dir / "spam"),
        "--train-ham", str(train_ham), "--train-spam", str(train_spam),
        "--spamassassin",
        stdout=out,
    )  # fmt: skip
    match = LINE.search(out.getvalue())
    assert match, out.getvalue()
    assert int(match.group(1)) == 10
    assert float(match.group(4)) >= 0 and float(match.group(5)) > 0 and float(match.group(6)) > 0


def test_the_five_categories_on_the_shipped_labelled_set(tmp_path):
    out = StringIO()
    # No corpus: the labelled set alone (what a user can run after installing the package).
    call_command("eval", "triage", "--corpus", str(tmp_path / "nothing"), stdout=out)
    text = out.getvalue()
    assert "ham-vs-spam skipped" in text
    assert "Five categories" in text and "needs a human vs noise" in text
    for category in ("serious", "network", "solicitation", "newsletter", "spam"):
        assert re.search(rf"^\s+{category}\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+\d+$", text, re.M), category
    accuracy = float(re.search(r"with the sender's history: accuracy ([\d.]+)", text).group(1))
    assert accuracy > 0.6
