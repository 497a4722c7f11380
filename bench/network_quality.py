"""Network quality check on real mail: do the strongest ties at a date D name the people a trader really
kept writing to after D?

What it measures, for each Enron trader of the shared corpus (``../shared/corpus/enron-mbox``, 8 users)
    1. Reads every folder of the trader (one mbox file per folder). Their addresses: the From addresses
       of their sent folders (``sent``, ``sent_items``, ``_sent_mail``) that carry their last name, seen
       at least 3 times. The cut date D: the median date of the mail they sent (``--cut`` sets one for
       all). Every message dated before D is copied to a temporary mbox file of the same name (so that
       sent folders stay sent folders); the mail they sent from D on is the truth: everyone in its To,
       Cc or Bcc, with the number of distinct messages (copies in several folders counted once).
    2. A fresh database (SQLite in a throwaway data dir; PostgreSQL when ``DATABASE_URL`` is set): the
       trader is the leader (a User with role leader and their first address; their other addresses as
       inactive leader accounts, so that intake treats them as theirs), and the real ``cercle import``
       takes the copied folders (direction auto: sent folders and mail from the leader's addresses are
       sent mail).
    3. The ties at D (``network.exports.ties_rows``, what ``cercle export ties --at D`` prints),
       strongest first, against baselines ranked from the same interactions before D: the raw number
       of exchanges (each way; ties broken by the latest exchange), recency only (the latest exchange
       first), and the number of mails the trader sent them.
    4. Precision at 10 and 20 (the share of the first k whom the trader wrote to after D) and NDCG at 20
       (gain log2(1 + messages written to them after D)); "best" is what a perfect ranking of the people
       known before D would get.

The weights are not tuned on this data: the strength's half-life, kinds and reciprocity are chosen from
principles (``cercle/network/strength.py``); this bench only reports.

Note on duplicates: the corpus keeps Lotus Notes' duplicate views (``all_documents``,
``discussion_threads``, ``notes_inbox``, and ``sent`` beside ``_sent_mail``), where every copy has its
own Message-ID: the import cannot tell them apart and counts an exchange once per copy (about twice
on average). ``--dedupe`` copies each message once (same Date, From, To and Subject) to measure the
ranking without that noise.

Run (from the project root)
    .venv/bin/python bench/network_quality.py
    .venv/bin/python bench/network_quality.py --users allen-p,lenhart-m --dedupe
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cercle_bench_quality .venv/bin/python \
        bench/network_quality.py --flush

Options: ``--corpus DIR`` (default ``../shared/corpus``), ``--users a,b`` (default all), ``--cut
YYYY-MM-DD``, ``--dedupe``, ``--show N`` (print the first N ties of each trader, marked when written
to after D), ``--data-dir DIR``, ``--keep``, ``--flush``.

Progress goes to stderr. The last line of stdout is always
``network quality: users U, precision@10 P (count baseline B, recency baseline R)`` (means over users).
"""

from __future__ import annotations

import argparse
import email.utils
import io
import math
import statistics
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path

if (
    not __package__
):  # run as a script (python bench/network_quality.py): the bench's parts import from the root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.database import database_label, flush_bench_tables, prepare_database, release_database
from bench.common.env import DEFAULT_CORPUS, data_dir_from, log, remove_dirs, setup_django

MIN_ALIAS_MESSAGES = 3
_HEADERS = BytesHeaderParser(policy=policy.compat32)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="corpus folder (default: ../shared/corpus from the repository root)")
    parser.add_argument("--users", help="comma-separated user folders (default: all of enron-mbox)")
    parser.add_argument("--cut", help="YYYY-MM-DD: one cut date for every user (default: each one's median)")
    parser.add_argument(
        "--dedupe", action="store_true", help="copy each message once (same Date/From/To/Subject)"
    )
    parser.add_argument("--show", type=int, default=0, help="print the first N ties of each user")
    parser.add_argument("--data-dir", help="CERCLE_DATA_DIR to use (default: a new temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the data dir / the PostgreSQL rows")
    parser.add_argument(
        "--flush", action="store_true", help="empty the bench tables if the database has data"
    )
    args = parser.parse_args(argv)
    args.cut_at = None
    if args.cut:
        try:
            args.cut_at = datetime.strptime(args.cut, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            parser.error(f"--cut wants YYYY-MM-DD, not {args.cut!r}")
    return args


# --- Reading a trader's mail ------------------------------------------------------------------------


@dataclass
class Header:
    date: datetime | None
    sender: str
    recipients: list[str]
    key: tuple[str, ...]  # what makes two copies the same message (Message-IDs differ between copies)


def read_header(raw: bytes) -> Header:
    head = _HEADERS.parsebytes(raw)
    date = None
    try:
        if head.get("Date"):
            date = email.utils.parsedate_to_datetime(str(head["Date"]))
            if date.tzinfo is None:
                date = date.replace(tzinfo=UTC)
    except (TypeError, ValueError, IndexError):
        date = None
    sender = email.utils.parseaddr(str(head.get("From", "")))[1].strip().lower()
    fields = [str(v) for name in ("To", "Cc", "Bcc") for v in head.get_all(name, [])]
    recipients = [a.strip().lower() for _n, a in email.utils.getaddresses(fields) if "@" in a]
    key = tuple(str(head.get(h, "")).strip() for h in ("Date", "From", "To", "Subject"))
    return Header(date, sender, list(dict.fromkeys(recipients)), key)


def messages(folder: Path) -> list[tuple[Path, list[tuple[bytes, Header]]]]:
    """Every mbox file of the user's folder, with its messages and their headers."""
    from cercle.intake.files import mbox_messages

    found = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        items = [(raw, read_header(raw)) for _i, raw, _error in mbox_messages(path) if raw]
        found.append((path, items))
    return found


def last_name(user: str) -> str:
    return user.split("-")[0].lower()


@dataclass
class Trader:
    user: str
    addresses: list[str]
    cut: datetime
    written_before: int  # messages copied (dated before the cut)
    sent_after: int  # distinct messages the trader sent from the cut on
    truth: Counter[str]  # address -> distinct messages written to them after the cut
    folder: Path  # the copied folders


def prepare_trader(user_dir: Path, work: Path, *, cut: datetime | None, dedupe: bool) -> Trader:
    from cercle.intake.files import is_sent_folder

    files = messages(user_dir)
    name = last_name(user_dir.name)
    senders: Counter[str] = Counter()
    for path, items in files:
        if is_sent_folder(path.name):
            senders.update(h.sender for _raw, h in items if h.sender)
    addresses = [
        a for a, n in senders.most_common() if n >= MIN_ALIAS_MESSAGES and name in a.partition("@")[0]
    ]
    if not addresses:
        raise SystemExit(f"{user_dir.name}: no address of theirs found in their sent folders")
    mine = set(addresses)
    sent: dict[tuple[str, ...], Header] = {}
    for _path, items in files:
        for _raw, h in items:
            if h.sender in mine and h.date is not None:
                sent.setdefault(h.key, h)
    if cut is None:
        dates = sorted(h.date for h in sent.values() if h.date is not None)
        cut = dates[len(dates) // 2]
    truth: Counter[str] = Counter()
    sent_after = 0
    for h in sent.values():
        if h.date is not None and h.date >= cut:
            sent_after += 1
            truth.update(r for r in h.recipients if r not in mine)
    out = work / user_dir.name
    out.mkdir(parents=True)
    written, seen = 0, set()
    for path, items in files:
        with (out / path.name).open("wb") as handle:
            for raw, h in items:
                if h.date is None or h.date >= cut or (dedupe and h.key in seen):
                    continue
                seen.add(h.key)
                handle.write(b"From MAILER-DAEMON Mon Jan  1 00:00:00 2001\n" + raw.rstrip(b"\n") + b"\n\n")
                written += 1
    return Trader(user_dir.name, addresses, cut, written, sent_after, truth, out)


# --- Importing and ranking ---------------------------------------------------------------------------


def make_leader(addresses: list[str]) -> None:
    from cercle.accounts.models import Role, User

    for index, address in enumerate(addresses):
        User.objects.create_user(
            username=f"leader{index}", email=address, role=Role.LEADER, is_active=index == 0
        )


def import_folder(folder: Path) -> str:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("import", str(folder), "--show-skipped", "0", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("import:")]
    return lines[-1] if lines else "import: (no summary line)"


@dataclass
class Rankings:
    ties: list[str]
    ties_network: list[str]  # the ties of the people the noise rules count in the network at the cut
    count: list[str]
    recency: list[str]
    sent: list[str]
    pool: int  # people with an address and an exchange before the cut
    scores: list[tuple[str, int, int]] = field(default_factory=list)  # (email, score, layer) of the ties


def rankings(cut: datetime) -> Rankings:
    from django.conf import settings

    from cercle.network.exports import ties_rows
    from cercle.network.models import Contact
    from cercle.network.strength import tallies_until

    rows = list(ties_rows(at=cut, layer_sizes=settings.CERCLE["NETWORK"]["LAYERS"]))
    ties = [str(r[0]) for r in rows]
    tallies = dict(tallies_until(cut))
    emails = dict(
        Contact.objects.filter(pk__in=list(tallies), spam=False, merged_into__isnull=True)
        .exclude(email="")
        .values_list("pk", "email")
    )
    pool = [(pk, t) for pk, t in tallies.items() if pk in emails]
    earliest = datetime.min.replace(tzinfo=UTC)

    def by(key) -> list[str]:  # type: ignore[no-untyped-def]
        return [emails[pk] for pk, _t in sorted(pool, key=lambda item: (key(item[1]), item[0]))]

    address_tally = {emails[pk]: t for pk, t in pool}
    return Rankings(
        ties=ties,
        # `strength.counts_in_network` at the cut: the leader wrote to them or is connected (nobody
        # is chosen by hand here); senders who were never answered do not count.
        ties_network=[
            a
            for a in ties
            if a in address_tally and (address_tally[a].count_out or address_tally[a].connected)
        ],
        count=by(lambda t: (-(t.count_in + t.count_out), -(t.last_at or earliest).timestamp())),
        recency=by(lambda t: -(t.last_at or earliest).timestamp()),
        sent=by(lambda t: (-t.count_out, -(t.last_at or earliest).timestamp())),
        pool=len(pool),
        scores=[(str(r[0]), int(r[2]), int(r[3]) if r[3] != "" else 0) for r in rows],
    )


# --- Measures --------------------------------------------------------------------------------------


def precision(ranked: list[str], truth: Counter[str], k: int) -> float:
    return sum(1 for a in ranked[:k] if truth.get(a)) / k


def ndcg(ranked: list[str], truth: Counter[str], k: int, known: set[str]) -> float:
    """Graded by log2(1 + messages after the cut); the ideal ranks the people known before the cut."""
    gains = [math.log2(1 + truth.get(a, 0)) for a in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((math.log2(1 + truth[a]) for a in known if truth.get(a)), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


@dataclass
class Scores:
    p10: float
    p20: float
    ndcg20: float


def score(ranked: list[str], truth: Counter[str], known: set[str]) -> Scores:
    return Scores(precision(ranked, truth, 10), precision(ranked, truth, 20), ndcg(ranked, truth, 20, known))


# --- Main ------------------------------------------------------------------------------------------


def holds_data() -> bool:
    from cercle.accounts.models import User
    from cercle.network.models import Contact

    return User.objects.exists() or Contact.objects.exists()


METHODS = ("ties", "ties_network", "count", "recency", "sent")
LABELS = {"ties": "ties", "ties_network": "net", "count": "count", "recency": "recen", "sent": "sent"}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    corpus = Path(args.corpus).resolve() if args.corpus else DEFAULT_CORPUS.resolve()
    enron = corpus / "enron-mbox"
    if not enron.is_dir():
        raise SystemExit(f"no Enron mailboxes at {enron}: pass --corpus DIR")
    users = args.users.split(",") if args.users else sorted(p.name for p in enron.iterdir() if p.is_dir())
    work = Path(tempfile.mkdtemp(prefix="cercle-bench-quality-"))
    data_dir, created = data_dir_from(args.data_dir, default=work / "data")
    cleanup = [work, data_dir] if created else [work]
    setup_django(data_dir)
    owns_rows = False
    results: list[tuple[Trader, str, Rankings, dict[str, Scores]]] = []
    try:
        from django.db import connection

        log(f"quality: {len(users)} users, database {connection.vendor}, data dir {data_dir}")
        prepare_database(args.flush, holds_data, "users or contacts")
        owns_rows = True
        for user in users:
            if results:
                flush_bench_tables()
            trader = prepare_trader(enron / user, work / "mail", cut=args.cut_at, dedupe=args.dedupe)
            log(
                f"  {user}: {', '.join(trader.addresses)}; cut {trader.cut:%Y-%m-%d}; {trader.written_before:,} "
                f"messages before it; {trader.sent_after:,} sent after it, to {len(trader.truth):,} people"
            )
            make_leader(trader.addresses)
            summary = import_folder(trader.folder)
            log(f"    {summary}")
            ranked = rankings(trader.cut)
            known = set(ranked.count)
            scores = {m: score(getattr(ranked, m), trader.truth, known) for m in METHODS}
            results.append((trader, summary, ranked, scores))
            log(
                f"    precision@10: ties {scores['ties'].p10:.2f}, count {scores['count'].p10:.2f}, "
                f"recency {scores['recency'].p10:.2f}"
            )

        print(
            f"database: {database_label()}; mail copied {'once per message (--dedupe)' if args.dedupe else 'as is'}"
        )
        print(
            "truth: everyone in To/Cc/Bcc of the mail the trader sent from the cut on; known: exchanged with "
            "before the cut; best: a perfect ranking of the known\n"
        )
        widths = {m: max(5, len(LABELS[m])) for m in METHODS}

        def block(values: dict[str, float], best: float | None) -> str:
            cells = " ".join(f"{values[m]:>{widths[m]}.2f}" for m in METHODS)
            return cells + (f" {best:>5.2f}" if best is not None else "")

        heads = " ".join(f"{LABELS[m]:>{widths[m]}}" for m in METHODS)
        print(
            f"{'user':<13} {'cut':<10} {'before':>6} {'known':>5} {'truth':>5} {'both':>4} | P@10: {heads} {'best':>5} | "
            f"P@20: {heads} {'best':>5} | NDCG@20: {heads}"
        )
        for trader, _summary, ranked, s in results:
            known = set(ranked.count)
            both = sum(1 for a in known if trader.truth.get(a))
            print(
                f"{trader.user:<13} {trader.cut:%Y-%m-%d} {trader.written_before:>6,} {ranked.pool:>5,} "
                f"{len(trader.truth):>5,} {both:>4} | "
                f"      {block({m: s[m].p10 for m in METHODS}, min(both, 10) / 10)} | "
                f"      {block({m: s[m].p20 for m in METHODS}, min(both, 20) / 20)} | "
                f"         {block({m: s[m].ndcg20 for m in METHODS}, None)}"
            )

        def mean(method: str, measure: str) -> float:
            return statistics.mean(getattr(s[method], measure) for *_rest, s in results)

        print(
            f"{'mean':<13} {'':<10} {'':>6} {'':>5} {'':>5} {'':>4} | "
            f"      {block({m: mean(m, 'p10') for m in METHODS}, None)} {'':>5} | "
            f"      {block({m: mean(m, 'p20') for m in METHODS}, None)} {'':>5} | "
            f"         {block({m: mean(m, 'ndcg20') for m in METHODS}, None)}"
        )
        print(
            "\nties: `ties_rows` at the cut; net: the same, keeping the people the noise rules count in the "
            "network at the cut (the trader wrote to them); count: exchanges each way; recen: the latest "
            "exchange first; sent: mails the trader sent them"
        )
        if args.show:
            for trader, summary, ranked, _s in results:
                print(f"\n{trader.user} ({summary}); the first {args.show} ties at {trader.cut:%Y-%m-%d}:")
                for position, (address, strength, layer) in enumerate(ranked.scores[: args.show], start=1):
                    after = trader.truth.get(address, 0)
                    print(
                        f"  {position:>3}. {address:<40} score {strength:>3} layer {layer or '-'}  after: {after}"
                    )
        print(
            f"network quality: users {len(results)}, precision@10 {mean('ties', 'p10'):.2f} "
            f"(count baseline {mean('count', 'p10'):.2f}, recency baseline {mean('recency', 'p10'):.2f})"
        )
    finally:
        release_database(owns_rows, args.keep)
        if args.keep:
            log(f"  kept {work} (copied mail, data dir)")
        else:
            remove_dirs(cleanup)


if __name__ == "__main__":
    main()
