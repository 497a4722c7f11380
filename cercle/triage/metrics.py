"""Precision, recall and F1, per class and for "needs a human" vs "noise", computed by scikit-learn: the
figures shown to the second (retraining) and printed by `cercle eval triage` come from the same code.

scikit-learn is imported on first use: the web process imports this module, and rarely computes."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Scores:
    label: str
    precision: float
    recall: float
    f1: float
    support: int

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "label": self.label,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.support,
        }


def per_class(truth: Sequence[str], predicted: Sequence[str], labels: Iterable[str]) -> list[Scores]:
    """One row per label, in the given order; 0.0 where a figure has nothing to divide by (a label never
    predicted, or never true)."""
    from sklearn.metrics import precision_recall_fscore_support

    labels = list(labels)
    if len(truth) != len(predicted):
        raise ValueError("truth and predicted differ in length")
    if not labels:
        return []
    if not truth:
        return [Scores(label, 0.0, 0.0, 0.0, 0) for label in labels]
    precision, recall, f1, support = precision_recall_fscore_support(
        list(truth), list(predicted), labels=labels, average=None, zero_division=0
    )
    return [
        Scores(label, float(p), float(r), float(f), int(n))
        for label, p, r, f, n in zip(labels, precision, recall, f1, support, strict=True)
    ]


def scores_for(truth: Sequence[str], predicted: Sequence[str], label: str) -> Scores:
    return per_class(truth, predicted, [label])[0]


def accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    from sklearn.metrics import accuracy_score

    if len(truth) != len(predicted):
        raise ValueError("truth and predicted differ in length")
    return float(accuracy_score(list(truth), list(predicted))) if truth else 0.0


def macro_f1(rows: Sequence[Scores]) -> float:
    """The mean F1 of the classes present in the truth (a class with no example says nothing)."""
    present = [r for r in rows if r.support]
    return sum(r.f1 for r in present) / len(present) if present else 0.0


def human_or_noise(labels: Sequence[str], human: Collection[str]) -> list[str]:
    return ["human" if label in human else "noise" for label in labels]


def decision_figures(
    truth: list[str], predicted: list[str], *, categories: Sequence[str], human: Collection[str]
) -> dict[str, Any]:
    """What a retraining records for one model on the held-out decisions."""
    human_truth = human_or_noise(truth, human)
    human_pred = human_or_noise(predicted, human)
    per = per_class(truth, predicted, [c for c in categories if c in truth])
    keep = scores_for(human_truth, human_pred, "human")
    return {
        "n": len(truth),
        "keep_dismiss_accuracy": round(accuracy(human_truth, human_pred), 4),
        "keep_f1": round(keep.f1, 4),
        "category_accuracy": round(accuracy(truth, predicted), 4),
        "macro_f1": round(macro_f1(per), 4),
        "per_category": [s.as_dict() for s in per],
    }
