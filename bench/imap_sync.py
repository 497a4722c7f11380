"""IMAP sync benchmark: Cercle fetching N messages from a local Dovecot, through the real sync.

What it measures
    A throwaway Dovecot (Debian's dovecot-imapd) gets N messages in one user's INBOX: real corpus
    messages (SpamAssassin ham and spam, then Enron) with fresh Message-IDs, or small synthetic
    requests with ``--synthetic``. A fresh Cercle data dir (SQLite, or PostgreSQL with DATABASE_URL)
    gets one mail account pointing at it, then ``manage.py sync`` runs in a child process: UID
    SEARCH, FETCH BODY.PEEK[] in batches, parse, store, ledger. Wall time of that child and its
    peak RSS are reported, then a second sync (nothing new) is timed to show the incremental cost.

Run (from the project root)
    .venv/bin/python bench/imap_sync.py --messages 10000
    .venv/bin/python bench/imap_sync.py --messages 10000 --batch 200

Last line: ``imap: N messages, X msg/s, peak RSS M MB, resync Y s``.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import time
from pathlib import Path

if not __package__:  # run as a script (python bench/imap_sync.py): the bench's parts import from the root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.corpus import corpus_messages
from bench.common.env import DEFAULT_CORPUS, child_env, data_dir_from, manage, mb, remove_dirs
from bench.common.process import run_measured
from tests.dovecot import Dovecot, available, make_message

SEED = 20_240_601  # of the fresh Message-IDs


def build(n: int, corpus: Path | None, synthetic: bool) -> list[bytes]:
    """n messages: the corpus in its stable order (cycled), or small generated requests."""
    if synthetic or corpus is None:
        return [make_message(i) for i in range(n)]
    return list(corpus_messages(corpus, n, SEED, shuffle=False))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--synthetic", action="store_true", help="small generated requests instead of the corpus"
    )
    args = parser.parse_args()
    if not available():
        raise SystemExit("Dovecot is missing: install Debian's dovecot-imapd (make system-deps)")
    corpus = args.corpus if args.corpus.exists() else None
    if corpus is None and not args.synthetic:
        print(f"corpus not found at {args.corpus}: using synthetic messages", file=sys.stderr)

    messages = build(args.messages, corpus, args.synthetic)
    size_mb = sum(len(m) for m in messages) / 1e6
    server = Dovecot().start()
    data_dir, _created = data_dir_from(None, prefix="cercle-imap-bench-")
    # The throwaway Dovecot listens on loopback, which a real hub refuses unless allowed.
    env = child_env(
        data_dir,
        CERCLE_MAIL_SYNC_BATCH=str(args.batch),
        LOG_LEVEL="ERROR",
        CERCLE_MAIL_ALLOW_PRIVATE_HOSTS="1",
    )
    sync = manage("sync", "--account", "bench", "--quiet")
    try:
        server.add_user("lea")
        server.put_messages("lea", messages)
        print(f"dovecot: {len(messages)} messages ({size_mb:.1f} MB) on port {server.port}", file=sys.stderr)
        subprocess.run(manage("migrate", "-v0"), env=env, check=True)
        create = (
            "from cercle.mailsync.models import MailAccount\n"
            f"a = MailAccount(name='bench', host='127.0.0.1', port={server.port}, security='none', username='lea')\n"
            f"a.password = {server.password!r}\n"
            "a.save()\n"
        )
        subprocess.run(manage("shell", "-c", create), env=env, check=True)

        # The child writes to this terminal; its wall time includes the process start.
        run = run_measured(sync, env, "sync", every=math.inf, capture=False)
        if run.returncode != 0:
            raise SystemExit(f"sync failed with code {run.returncode}")

        started = time.perf_counter()
        subprocess.run(sync, env=env, check=True, stdout=subprocess.DEVNULL)
        resync = time.perf_counter() - started
    finally:
        server.cleanup()
        remove_dirs([data_dir])
    elapsed, peak = run.seconds, mb(run.peak_kib)
    rate = len(messages) / elapsed
    print(f"sync: {len(messages)} messages in {elapsed:.1f} s (process start included), batch {args.batch}")
    print(f"imap: {len(messages)} messages, {rate:.0f} msg/s, peak RSS {peak:.0f} MB, resync {resync:.1f} s")


if __name__ == "__main__":
    main()
