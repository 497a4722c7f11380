"""`cercle eval triage` on a small part of the real corpus (the full run is a command, not a test)."""

from __future__ import annotations

import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
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


# --- `--shipped`: the shipped model as a fresh install uses it, nothing trained ---------------------

SHIPPED_PART = re.compile(
    r"^shipped (\w+): (\d+) messages, needs a human F1 ([\d.]+), requests and network called spam (\d+)$",
    re.M,
)


def _no_training(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("--shipped must not train")

    from cercle.triage import classifier, dataset

    monkeypatch.setattr(classifier, "train", refuse)
    monkeypatch.setattr(dataset, "train_categories", refuse)
    monkeypatch.setattr(evaluation, "train_ham_spam", refuse)
    monkeypatch.setattr(evaluation, "spamd", refuse)


def _shipped_decisions(raws_and_history):  # type: ignore[no-untyped-def]
    """What the shipped model suggests, computed here without the command's code."""
    from cercle.triage import classifier as K
    from cercle.triage import dataset, engine

    current = engine.Engine(base=engine.load_base())
    rows = [K.encode(dataset.read_raw(raw), history) for raw, history in raws_and_history]
    return [K.CATEGORIES[k] for k in engine.decide(current.proba(rows), rows)]


def test_shipped_scores_the_labelled_test_parts_and_trains_nothing(monkeypatch):
    import hashlib

    from sklearn.metrics import f1_score

    from cercle.triage import dataset, engine

    before = hashlib.sha256(engine.BASE_MODEL_PATH.read_bytes()).hexdigest()
    _no_training(monkeypatch)
    out = StringIO()
    call_command("eval", "triage", "--shipped", stdout=out)
    text = out.getvalue()
    lines = {m.group(1): m.groups()[1:] for m in SHIPPED_PART.finditer(text)}
    assert set(lines) == {"test", "test_hard"}, text
    for part, (n, f1, called_spam) in lines.items():
        examples = dataset.labelled(part)
        predicted = _shipped_decisions([(e.raw, e.history) for e in examples])
        truth = [e.label in ("serious", "network") for e in examples]
        guessed = [p in ("serious", "network") for p in predicted]
        assert int(n) == len(examples)
        assert f1 == f"{f1_score(truth, guessed):.3f}"
        assert int(called_spam) == sum(t and p == "spam" for t, p in zip(truth, predicted, strict=True))
    assert "nothing trained" in text and "trained on" not in text
    assert hashlib.sha256(engine.BASE_MODEL_PATH.read_bytes()).hexdigest() == before


def test_shipped_scores_given_directories_and_trains_nothing(tmp_path, monkeypatch):
    import json

    from cercle.triage import dataset

    examples = dataset.labelled("test_hard")
    ham, spam = tmp_path / "ham", tmp_path / "spam"
    ham.mkdir(), spam.mkdir()
    for i, example in enumerate(examples):
        folder = spam if example.label == "spam" else ham
        (folder / f"{i:03d}.eml").write_bytes(example.raw)
    _no_training(monkeypatch)
    out = StringIO()
    figures = tmp_path / "figures.json"
    call_command(
        "eval",
        "triage",
        "--shipped",
        "--ham",
        str(ham),
        "--spam",
        str(spam),
        "--json",
        str(figures),
        stdout=out,
    )
    text = out.getvalue()
    # Every message of both directories is scored (no split: nothing is set aside for training).
    n_spam = sum(e.label == "spam" for e in examples)
    assert f"all {len(examples) - n_spam} ham + {n_spam} spam" in text
    predicted = _shipped_decisions([(e.raw, None) for e in examples])
    expected = sum(p == "spam" for e, p in zip(examples, predicted, strict=True) if e.label != "spam")
    line = re.search(
        r"^shipped: (\d+) messages, cercle F1 ([\d.]+) msg/s [\d.]+, ham called spam (\d+)$", text, re.M
    )
    assert line, text
    assert int(line.group(1)) == len(examples) and int(line.group(3)) == expected
    assert json.loads(figures.read_text())["ham_spam"]["ham_called_spam"] == expected


def test_shipped_takes_no_training_directories(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="trains nothing"):
        call_command(
            "eval", "triage", "--shipped", "--ham", str(tmp_path), "--spam", str(tmp_path),
            "--train-ham", str(tmp_path), "--train-spam", str(tmp_path),
        )  # fmt: skip
