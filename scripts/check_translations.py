#!/usr/bin/env python
"""Fail when a user-facing string has no French translation.

Runs `makemessages -l fr` and compares the catalogue with the committed one (ignoring the
creation date): any difference means new or changed strings. Then checks that every entry is
translated and not fuzzy, and compiles the catalogue. `--update` keeps the regenerated file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "cercle" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
IGNORE = [".venv", "data", "tests", "bench", "build", "test-artifacts", "scripts"]


def normalise(text: str) -> str:
    return re.sub(r'"POT-Creation-Date: .*\\n"\n', "", text)


def untranslated(text: str) -> list[str]:
    entries = text.split("\n\n")
    missing = []
    for entry in entries[1:]:
        if "#, fuzzy" in entry:
            missing.append(entry)
            continue
        if re.search(r'^msgstr(\[\d\])? ""\n?$', entry.strip().splitlines()[-1]) and not re.search(
            r'^msgstr(\[\d\])? ""\n"', entry, re.M
        ):
            if entry.strip().startswith("#~"):
                continue
            missing.append(entry)
    return missing


def main() -> int:
    if shutil.which("msgfmt") is None:
        print("check_translations: gettext (msgfmt) is not installed; run `make system-deps` as root.")
        return 1
    update = "--update" in sys.argv
    before = PO.read_text() if PO.exists() else ""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    cmd = [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-location", "--no-obsolete"]
    for item in IGNORE:
        cmd += ["--ignore", f"{item}/*"]
    with tempfile.TemporaryDirectory():
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    after = PO.read_text()
    problems = []
    if normalise(before) != normalise(after):
        problems.append("locale/fr is out of date: run `make messages`, translate the new entries, commit.")
        if not update:
            PO.write_text(before)
    missing = untranslated(after if update else before)
    if missing:
        problems.append(
            f"{len(missing)} French translation(s) missing or fuzzy, e.g.:\n" + "\n".join(missing[:5])
        )
    if not problems or update:
        subprocess.run(
            [sys.executable, "manage.py", "compilemessages", "-l", "fr", "--ignore", ".venv"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    for problem in problems:
        print("check_translations:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
