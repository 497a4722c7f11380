"""Precision, recall and F1 (computed by scikit-learn) give the textbook figures, and 0 where there is
nothing to divide by."""

from __future__ import annotations

import pytest

from cercle.triage import metrics


def test_per_class_figures_are_the_textbook_ones():
    truth = ["spam", "spam", "spam", "ham", "ham", "ham", "ham"]
    predicted = ["spam", "spam", "ham", "spam", "ham", "ham", "ham"]
    spam, ham = metrics.per_class(truth, predicted, ["spam", "ham"])
    # spam: 2 true positives, 1 false positive, 1 false negative.
    assert (spam.label, spam.support) == ("spam", 3)
    assert spam.precision == pytest.approx(2 / 3) and spam.recall == pytest.approx(2 / 3)
    assert spam.f1 == pytest.approx(2 / 3)
    assert ham.precision == pytest.approx(3 / 4) and ham.recall == pytest.approx(3 / 4)
    assert metrics.accuracy(truth, predicted) == pytest.approx(5 / 7)
    assert metrics.macro_f1([spam, ham]) == pytest.approx((2 / 3 + 3 / 4) / 2)


def test_nothing_to_divide_by_gives_zero():
    never_predicted = metrics.scores_for(["a", "b"], ["b", "b"], "a")
    assert (never_predicted.precision, never_predicted.recall, never_predicted.f1) == (0.0, 0.0, 0.0)
    absent = metrics.scores_for(["a"], ["a"], "z")
    assert (absent.precision, absent.recall, absent.f1, absent.support) == (0.0, 0.0, 0.0, 0)
    assert metrics.per_class([], [], ["a"]) == [metrics.Scores("a", 0.0, 0.0, 0.0, 0)]
    assert metrics.accuracy([], []) == 0.0
    assert metrics.macro_f1([absent]) == 0.0


def test_lengths_must_agree():
    with pytest.raises(ValueError):
        metrics.per_class(["a", "b"], ["a"], ["a"])


def test_the_figures_a_retraining_records():
    truth = ["serious", "network", "spam", "newsletter"]
    predicted = ["serious", "spam", "spam", "newsletter"]
    figures = metrics.decision_figures(
        truth,
        predicted,
        categories=("serious", "network", "solicitation", "newsletter", "spam"),
        human={"serious", "network"},
    )
    assert figures["n"] == 4
    assert figures["keep_dismiss_accuracy"] == 0.75
    assert figures["category_accuracy"] == 0.75
    assert [row["label"] for row in figures["per_category"]] == ["serious", "network", "newsletter", "spam"]
    assert figures["keep_f1"] == pytest.approx(round(2 * 1.0 * 0.5 / 1.5, 4))
