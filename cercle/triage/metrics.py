"""Precision, recall and F1, per class and for "needs a human" vs "noise". Plain Python, no sklearn:
the figures shown to the second and printed by `cercle eval triage` come from the same code."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


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


def scores_for(truth: Sequence[str], predicted: Sequence[str], label: str) -> Scores:
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p == label)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != label and p == label)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p != label)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(label, precision, recall, f1, tp + fn)


def per_class(truth: Sequence[str], predicted: Sequence[str], labels: Iterable[str]) -> list[Scores]:
    return [scores_for(truth, predicted, label) for label in labels]


def accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(1 for t, p in zip(truth, predicted, strict=True) if t == p) / len(truth) if truth else 0.0


def macro_f1(rows: Sequence[Scores]) -> float:
    present = [r for r in rows if r.support]
    return sum(r.f1 for r in present) / len(present) if present else 0.0


def human_or_noise(labels: Sequence[str], human: frozenset[str]) -> list[str]:
    return ["human" if label in human else "noise" for label in labels]
