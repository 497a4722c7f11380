"""`cercle import` killed with kill -9 leaves no parser process behind."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.conftest import wait_until
from tests.dovecot import make_message
from tests.mailsync.conftest import MANAGE, worker_env

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid …" — comm may hold spaces: read after the last parenthesis.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.django_db(transaction=True)
def test_killing_an_import_kills_its_parser_process(tmp_path):
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    for i in range(4000):
        (maildir / "cur" / f"{i:06d}.eml:2,S").write_bytes(make_message(i))
    process = subprocess.Popen(
        [*MANAGE, "import", str(maildir)], env=worker_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        # The parser process starts once the import proves larger than one batch.
        wait_until(lambda: children_of(process.pid) or process.poll() is not None, 120, "the parser process")
        parsers = children_of(process.pid)
        assert parsers, "the import ended before its parser started: use more messages"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    wait_until(lambda: not any(alive(pid) for pid in parsers), 10, "the parser to die with the import")
    assert os.getpid() not in parsers
