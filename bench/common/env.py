"""The environment of a bench: the repository, progress lines, the data dir and Django's setup."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def log(message: str) -> None:
    """Progress goes to stderr; stdout keeps the figures."""
    print(message, file=sys.stderr, flush=True)


def mb(kib: float) -> float:
    """KiB (as /proc and ru_maxrss give them) to MB of 2**20 bytes."""
    return kib / 1024


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def data_dir_from(
    given: str | None, default: Path | None = None, prefix: str = "cercle-bench-"
) -> tuple[Path, bool]:
    """The CERCLE_DATA_DIR to use, and whether the bench made it (and so removes it at the end).

    ``given`` (``--data-dir``) is created when missing; else ``default`` is created, or a new temporary
    directory named with ``prefix``.
    """
    if given:
        path = Path(given).resolve()
        created = not path.exists()
        path.mkdir(parents=True, exist_ok=True)
        return path, created
    if default is not None:
        default.mkdir(parents=True)
        return default, True
    return Path(tempfile.mkdtemp(prefix=prefix)), True


def remove_dirs(paths: list[Path]) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def setup_django(data_dir: Path) -> None:
    """Point Cercle at the throwaway data dir, then start Django (the order matters), DEBUG off."""
    os.environ["CERCLE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # STATIC_ROOT lives in the data dir; an empty one spares WhiteNoise's "No directory" warning.
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def child_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``manage.py`` child on the data dir: DEBUG off, output unbuffered.

    ``extra`` adds or overrides variables (LOG_LEVEL defaults to WARNING unless set already).
    """
    env = dict(os.environ)
    env.update(
        CERCLE_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        PYTHONUNBUFFERED="1",
    )
    env.setdefault("LOG_LEVEL", "WARNING")
    env.update(extra)
    return env


def manage(*args: str) -> list[str]:
    """The command line of ``manage.py ARGS`` with this interpreter."""
    return [sys.executable, str(ROOT / "manage.py"), *args]
