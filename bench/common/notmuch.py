"""notmuch (Debian's ``notmuch``; ``make system-deps`` installs it) indexing a Maildir, measured.

Its config sits in a work dir with ``mail_root`` = the Maildir and the Xapian database beside the
config, so the Maildir stays clean.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from .env import log
from .process import Run, run_measured

_NOTMUCH_ADDED = re.compile(r"Added (\d+) new messages?")


def notmuch_binary() -> str | None:
    return shutil.which("notmuch")


def write_config(maildir: Path, work: Path) -> Path:
    database = work / "notmuch-db"
    database.mkdir(parents=True, exist_ok=True)
    config = work / "notmuch-config"
    config.write_text(
        "[database]\n"
        f"path={database}\n"
        f"mail_root={maildir}\n"
        "[user]\n"
        "name=Cercle bench\n"
        "primary_email=bench@cercle-bench.invalid\n"
        "[new]\n"
        "tags=unread;inbox;\n"
        "ignore=\n"
        "[search]\n"
        "exclude_tags=\n"
        "[maildir]\n"
        "synchronize_flags=true\n"
    )
    return config


def run_notmuch(notmuch: str, maildir: Path, work: Path) -> tuple[Run, int, str]:
    """`notmuch new` on the Maildir, its database outside it; (run, messages indexed, version)."""
    config = write_config(maildir, work)
    env = {**os.environ, "NOTMUCH_CONFIG": str(config)}
    env.pop("NOTMUCH_PROFILE", None)
    version = subprocess.run(
        [notmuch, "--version"], env=env, capture_output=True, text=True, check=False
    ).stdout.strip()
    log(f"  notmuch: {version}, notmuch new (config {config.name} in a temp dir)")
    run = run_measured([notmuch, "new"], env, "notmuch new")
    if run.returncode != 0:
        log(run.output[-4000:])
        raise SystemExit(f"notmuch new failed (exit {run.returncode})")
    counted = subprocess.run(
        [notmuch, "count", "--output=messages", "*"], env=env, capture_output=True, text=True, check=False
    )
    try:
        indexed = int(counted.stdout.strip())
    except ValueError:
        added = _NOTMUCH_ADDED.search(run.output)
        indexed = int(added.group(1)) if added else 0
    return run, indexed, version
