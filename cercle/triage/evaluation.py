"""`cercle eval triage`: train on one part of a labelled corpus, measure on another, side by side with
SpamAssassin (Debian's spamassassin with local tests only, its Bayes trained on the same training part).

Two measures:
- **ham vs spam** on directories of raw messages (by default SpamAssassin's public corpus from
  ../shared/corpus with a fixed split): precision, recall, F1 for both classes and messages per second,
  for Cercle and for SpamAssassin on exactly the same test messages;
- **the five categories** on the labelled FR/EN set shipped with the package (labelled/, train and
  test parts written apart), with "needs a human" (serious, network) vs "noise".

Speed is measured on one core: one process, BLAS limited to one thread, from raw bytes to a category
(parsing included: the reading intake does, `cercle.mail.parse`, HTML sanitising and all). SpamAssassin is measured through spamd with one child, messages sent one after the
other by spamc — the fastest way to run it, as the command line reloads its rules for every message.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cercle.triage import classifier as K
from cercle.triage import dataset, engine, metrics
from cercle.triage.dataset import Labelled

SPAM_THRESHOLD = 5.0  # SpamAssassin's default required_score


@dataclass
class SideResult:
    name: str
    predicted: list[str]
    seconds: float
    cpu_seconds: float = 0.0
    errors: int = 0

    def rate(self, n: int) -> float:
        return n / self.seconds if self.seconds > 0 else 0.0


@dataclass
class HamSpamReport:
    n_train: int
    n_test: int
    truth: list[str]
    cercle: SideResult
    spamassassin: SideResult | None = None
    notes: list[str] = field(default_factory=list)


# --- Cercle on ham vs spam -----------------------------------------------------------------------


def train_ham_spam(train: list[Labelled]) -> K.LinearModel:
    rows = dataset.encode_all(train)
    return K.train(rows, [e.label for e in train], classes=("ham", "spam"), C=1000.0, history_prior=False)


def predict_raw(model: K.LinearModel, raws: list[bytes]) -> tuple[list[str], float, float]:
    """Classify raw messages end to end (parse, features, model); (labels, wall s, CPU s)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        wall, cpu = time.perf_counter(), time.process_time()
        predicted: list[str] = []
        for start in range(0, len(raws), 256):
            rows = [K.encode(dataset.read_raw(raw)) for raw in raws[start : start + 256]]
            proba = model.predict_proba(K.design(rows, model.idf))
            predicted += [model.classes[i] for i in np.argmax(proba, axis=1)]
        return predicted, time.perf_counter() - wall, time.process_time() - cpu


# --- SpamAssassin --------------------------------------------------------------------------------


def spamassassin_available() -> str:
    """ "" when spamd, spamc and sa-learn are installed, else what is missing."""
    missing = [b for b in ("spamd", "spamc", "sa-learn") if shutil.which(b) is None]
    return ", ".join(missing)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_dir(path: Path, examples: list[Labelled]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for i, example in enumerate(examples):
        (path / f"{i:06d}.eml").write_bytes(example.raw)
    return path


@contextlib.contextmanager
def spamd(train_ham: list[Labelled], train_spam: list[Labelled], log: Callable[[str], None]) -> Iterator[int]:
    """A throwaway spamd (local tests only) whose Bayes learnt the training part; yields its port."""
    work = Path(tempfile.mkdtemp(prefix="cercle-sa-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        os.chmod(work, 0o755)  # noqa: S103 — spamd's child runs as nobody and reads its config here
        site = work / "site"
        site.mkdir()
        for source in Path("/etc/spamassassin").glob("*"):
            if source.is_file() and source.suffix in (".pre", ".cf"):
                shutil.copy(source, site / source.name)
        bayes = work / "bayes"
        bayes.mkdir()
        with (site / "local.cf").open("a") as config:
            config.write(
                "\n# cercle eval triage: Bayes from the training part, nothing from the network\n"
                f"use_bayes 1\nbayes_auto_learn 0\nbayes_path {bayes}/bayes\nbayes_file_mode 0777\n"
                "bayes_min_ham_num 1\nbayes_min_spam_num 1\nskip_rbl_checks 1\n"
            )
        common = ["-L", f"--siteconfigpath={site}"]
        started = time.monotonic()
        for flag, examples in (("--ham", train_ham), ("--spam", train_spam)):
            folder = _write_dir(work / flag.strip("-"), examples)
            subprocess.run(
                ["sa-learn", *common, flag, str(folder)], check=True, capture_output=True, timeout=3600
            )
        log(f"  sa-learn: {len(train_ham)} ham, {len(train_spam)} spam in {time.monotonic() - started:.0f} s")
        for path in [bayes, *bayes.iterdir()]:
            os.chmod(path, 0o777)  # noqa: S103 — read and locked by spamd's child (nobody)
        port = _free_port()
        command = [
            "spamd",
            "-L",
            "-x",
            "--syslog=stderr",
            f"--listen=127.0.0.1:{port}",
            "--max-children=1",
            "--min-children=1",
            f"--siteconfigpath={site}",
        ]
        if os.geteuid() == 0:
            command[1:1] = ["-u", "nobody"]
        stderr = (work / "spamd.log").open("wb")
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        deadline = time.monotonic() + 120
        while True:  # wait for the port (never loop on `spamc -K`: it retries and hangs)
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"spamd did not start: {(work / 'spamd.log').read_text()[-500:]}")
            time.sleep(0.2)
        yield port
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # spamd and the child it forked, nothing else
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        shutil.rmtree(work, ignore_errors=True)


def spamc_scores(port: int, raws: list[bytes]) -> tuple[list[float], float, int]:
    """Score each message with `spamc -c` (one after the other); (scores, wall seconds, errors)."""
    scores: list[float] = []
    errors = 0
    started = time.perf_counter()
    for raw in raws:
        result = subprocess.run(
            ["spamc", "-d", "127.0.0.1", "-p", str(port), "-c", "-t", "120"],
            input=raw,
            capture_output=True,
            timeout=300,
        )
        text = result.stdout.decode("ascii", "replace").strip()
        try:
            scores.append(float(text.split("/")[0]))
        except ValueError:
            errors += 1
            scores.append(0.0)
    return scores, time.perf_counter() - started, errors


# --- The ham-vs-spam run -------------------------------------------------------------------------


def run_ham_spam(
    train: list[Labelled],
    test: list[Labelled],
    *,
    with_spamassassin: bool,
    log: Callable[[str], None],
) -> HamSpamReport:
    started = time.monotonic()
    model = train_ham_spam(train)
    log(f"  cercle: trained on {len(train)} messages in {time.monotonic() - started:.1f} s")
    truth = [e.label for e in test]
    raws = [e.raw for e in test]
    predicted, wall, cpu = predict_raw(model, raws)
    report = HamSpamReport(len(train), len(test), truth, SideResult("cercle", predicted, wall, cpu))
    if with_spamassassin:
        missing = spamassassin_available()
        if missing:
            report.notes.append(f"SpamAssassin not run: {missing} not installed")
        else:
            ham = [e for e in train if e.label == "ham"]
            spam = [e for e in train if e.label == "spam"]
            with spamd(ham, spam, log) as port:
                scores, seconds, errors = spamc_scores(port, raws)
            labels = ["spam" if s >= SPAM_THRESHOLD else "ham" for s in scores]
            report.spamassassin = SideResult("spamassassin", labels, seconds, errors=errors)
    return report


# --- The five categories on the labelled FR/EN set -------------------------------------------------


@dataclass
class CategoryReport:
    n_train: int
    truth: list[str]
    predicted: list[str]
    predicted_without_history: list[str]
    seconds: float
    sources: dict[str, int]
    languages: list[str]
    part: str = "test"  # which test part of the labelled set
    model: str = ""  # what was measured: "trained here" or the shipped model's version

    def human_called_spam(self, predicted: list[str] | None = None) -> int:
        """Requests and network mail (needs a human) suggested as spam: the worst error."""
        predicted = self.predicted if predicted is None else predicted
        return sum(1 for t, p in zip(self.truth, predicted, strict=True) if t in K.HUMAN and p == K.SPAM)

    def human_f1(self, predicted: list[str] | None = None) -> float:
        predicted = self.predicted if predicted is None else predicted
        truth = metrics.human_or_noise(self.truth, K.HUMAN)
        return metrics.scores_for(truth, metrics.human_or_noise(predicted, K.HUMAN), "human").f1


def score_categories(
    current: engine.Engine,
    test: list[Labelled],
    *,
    part: str,
    n_train: int = 0,
    sources: dict[str, int] | None = None,
) -> CategoryReport:
    """One test part through an engine, as the product decides (`engine.decide`: the lowest expected
    cost, not the likeliest category) — with the sender's history, and without."""
    wall = time.perf_counter()
    docs = [dataset.doc(e) for e in test]
    rows = [K.encode(d, e.history) for d, e in zip(docs, test, strict=True)]
    predicted = current.categories(rows)
    seconds = time.perf_counter() - wall
    without = current.categories([K.encode(d) for d in docs])
    return CategoryReport(
        n_train=n_train,
        truth=[e.label for e in test],
        predicted=predicted,
        predicted_without_history=without,
        seconds=seconds,
        sources=sources or {},
        languages=[e.language for e in test],
        part=part,
        model=current.version,
    )


def labelled_test_parts(labelled_dir: Path) -> list[str]:
    return [part for part in dataset.TEST_PARTS if (labelled_dir / f"{part}.txt").is_file()]


def run_categories(
    corpus: Path | None, labelled_dir: Path, log: Callable[[str], None]
) -> list[CategoryReport]:
    """Train on the labelled training parts (and the corpora's training parts when present), test on each
    labelled test part — with the sender's history, as the product sees it, and without."""
    weighted: list[tuple[Labelled, float]] = [(e, 3.0) for e in dataset.labelled_training(labelled_dir)]
    if corpus is not None and (corpus / "spamassassin").is_dir():
        weighted += [(dataset.as_category(e), 1.0) for e in dataset.spamassassin(corpus, test=False)]
        weighted += [(e, 1.0) for e in dataset.sisimai_notifications(corpus)]
    sources: dict[str, int] = {}
    for example, _weight in weighted:
        sources[example.source or "labelled"] = sources.get(example.source or "labelled", 0) + 1
    started = time.monotonic()
    model = dataset.train_categories(weighted)
    model.meta = {"version": "trained here"}
    log(f"  cercle: trained on {len(weighted)} messages in {time.monotonic() - started:.1f} s")
    current = engine.Engine(base=model)
    return [
        score_categories(
            current, dataset.labelled(part, labelled_dir), part=part, n_train=len(weighted), sources=sources
        )
        for part in labelled_test_parts(labelled_dir)
    ]


def run_shipped_categories(
    labelled_dir: Path, model_path: Path = engine.BASE_MODEL_PATH
) -> list[CategoryReport]:
    """The shipped base model as a fresh install uses it, on each labelled test part: nothing is trained."""
    current = engine.Engine(base=engine.load_base(model_path))
    return [
        score_categories(current, dataset.labelled(part, labelled_dir), part=part)
        for part in labelled_test_parts(labelled_dir)
    ]


def run_shipped_ham_spam(
    test: list[Labelled], model_path: Path = engine.BASE_MODEL_PATH
) -> tuple[HamSpamReport, list[str]]:
    """Given ham and spam directories through the shipped base model, nothing trained: a message is spam
    when the product would suggest spam (`engine.decide`). Also returns the five-category suggestions."""
    from threadpoolctl import threadpool_limits

    current = engine.Engine(base=engine.load_base(model_path))
    categories: list[str] = []
    with threadpool_limits(1):
        wall, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(test), 256):
            rows = [K.encode(dataset.read_raw(e.raw)) for e in test[start : start + 256]]
            categories += current.categories(rows)
        seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    predicted = ["spam" if c == K.SPAM else "ham" for c in categories]
    side = SideResult(f"cercle (shipped {current.version})", predicted, seconds, cpu_seconds)
    return HamSpamReport(0, len(test), [e.label for e in test], side), categories


# --- Printing ------------------------------------------------------------------------------------


def format_scores(title: str, rows: list[metrics.Scores]) -> list[str]:
    lines = [f"  {title:<28} {'precision':>9} {'recall':>7} {'F1':>7} {'n':>6}"]
    for row in rows:
        lines.append(
            f"  {row.label:<28} {row.precision:>9.3f} {row.recall:>7.3f} {row.f1:>7.3f} {row.support:>6}"
        )
    return lines
