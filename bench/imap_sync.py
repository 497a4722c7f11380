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
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.dovecot import Dovecot, available, make_message  # noqa: E402

MESSAGE_ID = re.compile(rb"^Message-ID:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*", re.IGNORECASE | re.MULTILINE)


def corpus_messages(corpus: Path) -> Iterator[bytes]:
    for folder in ("spamassassin/easy_ham", "spamassassin/hard_ham", "spamassassin/spam"):
        for path in sorted((corpus / folder).glob("*")):
            if path.is_file() and not path.name.startswith(("cmds", "SOURCE")):
                yield path.read_bytes()
    import mailbox

    for path in sorted((corpus / "enron-mbox").rglob("*")):
        if path.is_file() and path.suffix not in (".md",):
            for message in mailbox.mbox(str(path)):
                yield message.as_bytes()


def with_fresh_id(raw: bytes, n: int) -> bytes:
    header_end = raw.find(b"\n\n")
    head = raw if header_end < 0 else raw[: header_end + 1]
    head = MESSAGE_ID.sub(b"", head)
    fresh = (
        f"Message-ID: <bench-{n}-{uuid.uuid5(uuid.NAMESPACE_URL, str(n)).hex[:12]}@cercle.bench>\n".encode()
    )
    return fresh + head + (raw[header_end + 1 :] if header_end >= 0 else b"")


def build(n: int, corpus: Path | None, synthetic: bool) -> list[bytes]:
    if synthetic or corpus is None:
        return [make_message(i) for i in range(n)]
    source = list(corpus_messages(corpus))
    if not source:
        raise SystemExit(f"no message found under {corpus}")
    return [with_fresh_id(source[i % len(source)], i) for i in range(n)]


def peak_rss_of(process: subprocess.Popen[bytes]) -> tuple[int, float]:
    """Wait for a child, polling its VmHWM (peak resident set); returns (returncode, MB)."""
    peak = 0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.05)
    return process.returncode, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
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
    data_dir = Path(tempfile.mkdtemp(prefix="cercle-imap-bench-"))
    env = {
        **os.environ,
        "CERCLE_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CERCLE_MAIL_SYNC_BATCH": str(args.batch),
        "LOG_LEVEL": "ERROR",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    try:
        server.add_user("lea")
        server.put_messages("lea", messages)
        print(f"dovecot: {len(messages)} messages ({size_mb:.1f} MB) on port {server.port}", file=sys.stderr)
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        create = (
            "from cercle.mailsync.models import MailAccount\n"
            f"a = MailAccount(name='bench', host='127.0.0.1', port={server.port}, security='none', username='lea')\n"
            f"a.password = {server.password!r}\n"
            "a.save()\n"
        )
        subprocess.run([*manage, "shell", "-c", create], env=env, check=True)

        started = time.perf_counter()
        process = subprocess.Popen([*manage, "sync", "--account", "bench", "--quiet"], env=env)
        code, peak = peak_rss_of(process)
        elapsed = time.perf_counter() - started
        if code != 0:
            raise SystemExit(f"sync failed with code {code}")

        started = time.perf_counter()
        subprocess.run(
            [*manage, "sync", "--account", "bench", "--quiet"], env=env, check=True, stdout=subprocess.DEVNULL
        )
        resync = time.perf_counter() - started
    finally:
        server.cleanup()
    rate = len(messages) / elapsed
    print(f"sync: {len(messages)} messages in {elapsed:.1f} s (process start included), batch {args.batch}")
    print(f"imap: {len(messages)} messages, {rate:.0f} msg/s, peak RSS {peak:.0f} MB, resync {resync:.1f} s")


if __name__ == "__main__":
    main()
