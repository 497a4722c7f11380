"""`cercle eval triage`: figures for the triage, side by side with SpamAssassin. See triage/evaluation.py.

    cercle eval triage                                    # SpamAssassin corpus (fixed split) + labelled FR/EN set
    cercle eval triage --spamassassin                     # … and SpamAssassin on the same test messages
    cercle eval triage --ham DIR --spam DIR [--train-ham DIR --train-spam DIR] [--spamassassin]
    cercle eval triage --shipped                          # the shipped model on the labelled test parts
    cercle eval triage --shipped --ham DIR --spam DIR     # the shipped model on the given directories

Without `--shipped` the command trains (on the training part, or on part of the given directories);
with it, nothing is trained: the shipped base model scores the messages exactly as a fresh install
would suggest (`engine.decide`).

Ends with one line:
    triage: N messages, cercle F1 F msg/s X, spamassassin F1 G msg/s Y, speed ratio X/Y = R
(F1 of the spam class on the ham-vs-spam test messages.) With `--shipped`, each labelled test part ends
with:
    shipped PART: N messages, needs a human F1 F, requests and network called spam K
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cercle.triage import classifier as K
from cercle.triage import dataset, engine, evaluation, metrics
from cercle.triage.dataset import Labelled


def _load(dirs: list[str], label: str, limit: int | None) -> list[Labelled]:
    out: list[Labelled] = []
    for directory in dirs:
        path = Path(directory)
        if not path.is_dir():
            raise CommandError(f"Not a directory: {directory}")
        out += [Labelled(f"{path.name}/{name}", label, raw) for name, raw in dataset.read_dir(path)]
    return out[:limit] if limit else out


def _split(examples: list[Labelled], test: bool) -> list[Labelled]:
    return [e for e in examples if dataset.is_test(e.ident.rpartition("/")[2]) == test]


class Command(BaseCommand):
    help = "Measure the triage (precision, recall, F1, messages per second), optionally beside SpamAssassin."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("suite", choices=["triage"], help="what to evaluate")
        parser.add_argument(
            "--ham", action="append", default=[], help="directory of ham messages (test part)"
        )
        parser.add_argument(
            "--spam", action="append", default=[], help="directory of spam messages (test part)"
        )
        parser.add_argument("--train-ham", action="append", default=[], help="directory of ham for training")
        parser.add_argument(
            "--train-spam", action="append", default=[], help="directory of spam for training"
        )
        parser.add_argument(
            "--spamassassin", action="store_true", help="also score the test messages with spamd"
        )
        parser.add_argument(
            "--corpus",
            default=str(dataset.DEFAULT_CORPUS),
            help="the shared corpus (default ../shared/corpus)",
        )
        parser.add_argument("--labelled", default=str(dataset.LABELLED_DIR), help="the labelled FR/EN set")
        parser.add_argument(
            "--categories",
            action="store_true",
            help="also run the five-category evaluation (default when no --ham/--spam is given)",
        )
        parser.add_argument("--no-categories", action="store_true", help="skip the five-category evaluation")
        parser.add_argument("--limit", type=int, default=None, help="at most N test messages per class")
        parser.add_argument(
            "--train-limit", type=int, default=None, help="at most N training messages per class"
        )
        parser.add_argument("--json", default="", help="also write the figures to this file")
        parser.add_argument(
            "--shipped",
            action="store_true",
            help="score with the shipped base model, training nothing (the labelled test parts, or --ham/--spam)",
        )
        parser.add_argument("--model", default=str(engine.BASE_MODEL_PATH), help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        corpus = Path(options["corpus"])
        limit, train_limit = options["limit"], options["train_limit"]
        figures: dict[str, Any] = {}
        custom = bool(options["ham"] or options["spam"])
        if custom and not (options["ham"] and options["spam"]):
            raise CommandError("Give both --ham and --spam (directories of raw messages, one per file).")
        if bool(options["train_ham"]) != bool(options["train_spam"]):
            raise CommandError("Give both --train-ham and --train-spam, or neither (a fixed split is used).")

        if options["shipped"]:
            self._shipped(options, custom, figures)
            return

        # --- Which messages -------------------------------------------------------------------
        if custom:
            ham_all = _load(options["ham"], "ham", None)
            spam_all = _load(options["spam"], "spam", None)
            if options["train_ham"]:
                test_ham, test_spam = ham_all, spam_all
                train_ham = _load(options["train_ham"], "ham", None)
                train_spam = _load(options["train_spam"], "spam", None)
                origin = "the given directories"
            else:
                test_ham, test_spam = _split(ham_all, True), _split(spam_all, True)
                train_ham, train_spam = _split(ham_all, False), _split(spam_all, False)
                origin = "the given directories, fixed split (sha1 of the file name)"
        elif (corpus / "spamassassin").is_dir():
            test = dataset.spamassassin(corpus, test=True)
            train = dataset.spamassassin(corpus, test=False)
            test_ham = [e for e in test if e.label == "ham"]
            test_spam = [e for e in test if e.label == "spam"]
            train_ham = [e for e in train if e.label == "ham"]
            train_spam = [e for e in train if e.label == "spam"]
            origin = f"SpamAssassin public corpus ({corpus}), easy_ham + hard_ham vs spam, fixed 70/30 split"
        else:
            test_ham = test_spam = train_ham = train_spam = []
            origin = ""
            self.stdout.write(f"No corpus at {corpus}: ham-vs-spam skipped (give --ham/--spam or --corpus).")
        if limit:
            test_ham, test_spam = test_ham[:limit], test_spam[:limit]
        if train_limit:
            train_ham, train_spam = train_ham[:train_limit], train_spam[:train_limit]

        line_parts: dict[str, str] = {}
        if test_ham and test_spam:
            if not (train_ham and train_spam):
                raise CommandError("Nothing to train on: the training part has no ham or no spam.")
            self.stdout.write(f"Ham vs spam — {origin}")
            self.stdout.write(
                f"  train: {len(train_ham)} ham + {len(train_spam)} spam; test: {len(test_ham)} ham + {len(test_spam)} spam"
            )
            report = evaluation.run_ham_spam(
                train_ham + train_spam,
                test_ham + test_spam,
                with_spamassassin=options["spamassassin"],
                log=self.stdout.write,
            )
            figures["ham_spam"] = self._print_ham_spam(report)
            line_parts = self._line(report)
            for note in report.notes:
                self.stdout.write(f"  {note}")

        # --- The five categories ----------------------------------------------------------------
        run_categories = (not custom or options["categories"]) and not options["no_categories"]
        labelled_dir = Path(options["labelled"])
        if run_categories and evaluation.labelled_test_parts(labelled_dir):
            self.stdout.write("")
            self.stdout.write(
                f"Five categories — labelled FR/EN set ({labelled_dir}), train and test parts written apart"
            )
            reports = evaluation.run_categories(
                corpus if not custom else None, labelled_dir, self.stdout.write
            )
            figures["categories"] = {r.part: self._print_categories(r) for r in reports}

        if options["json"]:
            Path(options["json"]).write_text(json.dumps(figures, indent=2))
        if line_parts:
            self.stdout.write("")
            self.stdout.write(
                f"triage: {line_parts['n']} messages, cercle F1 {line_parts['f1']} msg/s {line_parts['rate']}, "
                f"spamassassin F1 {line_parts['sa_f1']} msg/s {line_parts['sa_rate']}, "
                f"speed ratio X/Y = {line_parts['ratio']}"
            )

    # --- The shipped model, nothing trained ------------------------------------------------------

    def _shipped(self, options: dict[str, Any], custom: bool, figures: dict[str, Any]) -> None:
        if options["train_ham"] or options["train_spam"] or options["spamassassin"]:
            raise CommandError(
                "--shipped trains nothing: it takes no --train-ham/--train-spam, and SpamAssassin is "
                "compared with trained models (run without --shipped)."
            )
        model_path = Path(options["model"])
        lines: list[str] = []
        if custom:
            limit = options["limit"]
            ham = _load(options["ham"], "ham", limit)
            spam = _load(options["spam"], "spam", limit)
            report, categories = evaluation.run_shipped_ham_spam(ham + spam, model_path)
            self.stdout.write(
                f"Ham vs spam — the given directories, all {len(ham)} ham + {len(spam)} spam, "
                f"scored by the shipped model (nothing trained)"
            )
            figures["ham_spam"] = self._print_ham_spam(report)
            ham_called_spam = sum(
                1
                for t, p in zip(report.truth, report.cercle.predicted, strict=True)
                if t == "ham" and p == "spam"
            )
            counts = {c: categories.count(c) for c in dict.fromkeys(categories)}
            self.stdout.write(
                f"  ham called spam: {ham_called_spam} of {len(ham)}; suggestions: "
                + ", ".join(f"{c} {n}" for c, n in counts.items())
            )
            figures["ham_spam"]["ham_called_spam"] = ham_called_spam
            f1 = metrics.scores_for(report.truth, report.cercle.predicted, "spam").f1
            lines.append(
                f"shipped: {report.n_test} messages, cercle F1 {f1:.3f} msg/s {report.cercle.rate(report.n_test):.1f}, "
                f"ham called spam {ham_called_spam}"
            )
        else:
            labelled_dir = Path(options["labelled"])
            reports = evaluation.run_shipped_categories(labelled_dir, model_path)
            if not reports:
                raise CommandError(f"No labelled test part in {labelled_dir}.")
            figures["categories"] = {}
            for part in reports:
                self.stdout.write("")
                self.stdout.write(
                    f"Five categories — labelled {part.part} part ({labelled_dir}), "
                    f"shipped model {part.model}, nothing trained"
                )
                figures["categories"][part.part] = self._print_categories(part)
                lines.append(
                    f"shipped {part.part}: {len(part.truth)} messages, needs a human F1 "
                    f"{part.human_f1():.3f}, requests and network called spam {part.human_called_spam()}"
                )
        if options["json"]:
            Path(options["json"]).write_text(json.dumps(figures, indent=2))
        self.stdout.write("")
        for line in lines:
            self.stdout.write(line)

    # --- Output ---------------------------------------------------------------------------------

    def _print_ham_spam(self, report: evaluation.HamSpamReport) -> dict[str, Any]:
        out: dict[str, Any] = {"train": report.n_train, "test": report.n_test}
        sides = [report.cercle] + ([report.spamassassin] if report.spamassassin else [])
        for side in sides:
            rows = metrics.per_class(report.truth, side.predicted, ["ham", "spam"])
            human = metrics.scores_for(report.truth, side.predicted, "ham")
            self.stdout.write("")
            title = f"{side.name}: {side.rate(report.n_test):.1f} msg/s"
            if side.cpu_seconds:
                title += f" ({report.n_test / side.cpu_seconds:.1f} per CPU second)"
            if side.errors:
                title += f", {side.errors} errors"
            for line in evaluation.format_scores(title, rows):
                self.stdout.write(line)
            self.stdout.write(
                f"  {'needs a human (ham) vs noise':<28} F1 {human.f1:.3f}; macro F1 {metrics.macro_f1(rows):.3f}"
            )
            out[side.name] = {
                "messages_per_second": round(side.rate(report.n_test), 2),
                "per_class": [r.as_dict() for r in rows],
                "macro_f1": round(metrics.macro_f1(rows), 4),
                "errors": side.errors,
            }
        return out

    def _line(self, report: evaluation.HamSpamReport) -> dict[str, str]:
        f1 = metrics.scores_for(report.truth, report.cercle.predicted, "spam").f1
        rate = report.cercle.rate(report.n_test)
        parts = {"n": str(report.n_test), "f1": f"{f1:.3f}", "rate": f"{rate:.1f}"}
        sa = report.spamassassin
        if sa is not None:
            sa_f1 = metrics.scores_for(report.truth, sa.predicted, "spam").f1
            sa_rate = sa.rate(report.n_test)
            parts.update(
                sa_f1=f"{sa_f1:.3f}",
                sa_rate=f"{sa_rate:.2f}",
                ratio=f"{rate / sa_rate:.0f}" if sa_rate else "n/a",
            )
        else:
            parts.update(sa_f1="n/a", sa_rate="n/a", ratio="n/a")
        return parts

    def _print_categories(self, cats: evaluation.CategoryReport) -> dict[str, Any]:
        sources = ", ".join(f"{k} {v}" for k, v in sorted(cats.sources.items()))
        trained = f"trained on {cats.n_train} messages ({sources})" if cats.n_train else f"model {cats.model}"
        self.stdout.write(f"  {trained}; test part {cats.part}: {len(cats.truth)} messages")
        out: dict[str, Any] = {
            "train": cats.n_train,
            "test": len(cats.truth),
            "sources": cats.sources,
            "part": cats.part,
            "model": cats.model,
        }
        for title, predicted in (
            ("with the sender's history", cats.predicted),
            ("text and headers only", cats.predicted_without_history),
        ):
            rows = metrics.per_class(cats.truth, predicted, K.CATEGORIES)
            human_truth = metrics.human_or_noise(cats.truth, K.HUMAN)
            human_pred = metrics.human_or_noise(predicted, K.HUMAN)
            binary = metrics.per_class(human_truth, human_pred, ["human", "noise"])
            self.stdout.write("")
            self.stdout.write(
                f"  cercle, {title}: accuracy {metrics.accuracy(cats.truth, predicted):.3f}, "
                f"macro F1 {metrics.macro_f1(rows):.3f}"
            )
            for line in evaluation.format_scores("category", rows):
                self.stdout.write(line)
            for line in evaluation.format_scores("needs a human vs noise", binary):
                self.stdout.write(line)
            called_spam = cats.human_called_spam(predicted)
            self.stdout.write(
                f"  requests and network called spam: {called_spam} of {sum(1 for t in cats.truth if t in K.HUMAN)}"
            )
            for language in ("fr", "en"):
                idx = [i for i, lang in enumerate(cats.languages) if lang == language]
                if idx:
                    acc = metrics.accuracy([cats.truth[i] for i in idx], [predicted[i] for i in idx])
                    self.stdout.write(f"  {language}: accuracy {acc:.3f} on {len(idx)}")
            out[title] = {
                "accuracy": round(metrics.accuracy(cats.truth, predicted), 4),
                "per_category": [r.as_dict() for r in rows],
                "human_vs_noise": [r.as_dict() for r in binary],
                "human_called_spam": called_spam,
            }
        rate = len(cats.truth) / cats.seconds if cats.seconds else 0.0
        self.stdout.write(f"  {rate:.0f} msg/s (explanations not included)")
        return out
