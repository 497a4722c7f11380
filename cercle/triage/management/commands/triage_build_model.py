"""`cercle triage_build_model`: rebuild the base model shipped in cercle/triage/model/base_model.npz.

Reproducible: the same corpus and labelled set give the same bytes (fixed split, deterministic solver,
fixed zip timestamps); the command prints the artefact's SHA-256 so a rebuild can be compared.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cercle.triage import dataset, engine, evaluation, metrics


class Command(BaseCommand):
    help = "Rebuild the triage base model from ../shared/corpus and the labelled FR/EN training parts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--corpus", default=str(dataset.DEFAULT_CORPUS), help="the shared corpus directory"
        )
        parser.add_argument("--output", default=str(engine.BASE_MODEL_PATH), help="where to write the .npz")
        parser.add_argument(
            "--keep", type=int, default=150_000, help="text weights kept (size of the artefact)"
        )
        parser.add_argument("--C", type=float, default=30.0, help="inverse regularisation strength")
        parser.add_argument(
            "--labelled-only", action="store_true", help="without the corpus: the labelled training set alone"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from threadpoolctl import threadpool_limits

        corpus = Path(options["corpus"])
        if not options["labelled_only"] and not (corpus / "spamassassin").is_dir():
            raise CommandError(
                f"No corpus at {corpus} (SpamAssassin's public corpus is expected in spamassassin/). "
                "Pass --corpus DIR, or --labelled-only to build from the labelled set alone."
            )
        weighted = dataset.base_training_set(None if options["labelled_only"] else corpus)
        counts = Counter((e.source or "labelled", e.label) for e, _w in weighted)
        for (source, label), n in sorted(counts.items()):
            self.stdout.write(f"  {source:<12} {label:<13} {n:>5}")
        started = time.monotonic()
        with threadpool_limits(1):
            model = dataset.train_categories(weighted, C=options["C"])
        digest = hashlib.sha1(
            "\n".join(f"{e.ident}\t{e.label}" for e, _w in weighted).encode(), usedforsecurity=False
        ).hexdigest()[:10]
        model = model.pruned(options["keep"])
        model.meta = {"version": f"base-{digest}", "examples": str(len(weighted))}
        data = model.to_bytes()
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)

        # A quick look at what it does on the labelled test parts (never trained on), as it will decide.
        looks = []
        for report in evaluation.run_shipped_categories(dataset.LABELLED_DIR, output):
            looks.append(
                f"{report.part}: accuracy {metrics.accuracy(report.truth, report.predicted):.3f}, needs a human F1 "
                f"{report.human_f1():.3f}, requests and network called spam {report.human_called_spam()} "
                f"(of {len(report.truth)})"
            )
        self.stdout.write(
            f"base model {model.meta['version']}: {len(weighted)} examples, {time.monotonic() - started:.1f} s, "
            f"{len(data) / 1024:.0f} KiB, sha256 {hashlib.sha256(data).hexdigest()[:16]} → {output}"
        )
        for look in looks:
            self.stdout.write(f"  {look}")
        engine.forget_cache()
