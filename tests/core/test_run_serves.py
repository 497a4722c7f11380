"""`cercle run` serves with gunicorn (several worker processes, static files by whitenoise) next to the
worker, and takes its web server down with it, however it stops."""

from __future__ import annotations

import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port, wait_until
from tests.mailsync.conftest import MANAGE, worker_env


def gunicorn_pids() -> set[int]:
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"gunicorn" in cmdline and b"config.wsgi:application" in cmdline:
                pids.add(int(entry.name))
    return pids


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type", "")


def answers(port: int) -> bool:
    try:
        return get(f"http://127.0.0.1:{port}/accounts/login/")[0] == 200
    except OSError:
        return False


def start(port: int, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            [*MANAGE, "run", "--port", str(port), "--no-demo", "--web-workers", "2"],
            env=worker_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL])
def test_run_serves_with_gunicorn_and_stops_it(stop, tmp_path):
    before = gunicorn_pids()
    port = free_port()
    log = tmp_path / "run.log"
    run = start(port, log)
    try:
        wait_until(lambda: answers(port) or run.poll() is not None, 60, "the web server")
        assert run.poll() is None, log.read_text()[-2000:]
        assert get(f"http://127.0.0.1:{port}/accounts/login/") == (200, "text/html; charset=utf-8")
        status, kind = get(f"http://127.0.0.1:{port}/static/cercle/cercle.css")
        assert status == 200 and kind.startswith("text/css")
        ours = gunicorn_pids() - before
        assert len(ours) >= 3, "a gunicorn master and its workers"
    finally:
        run.send_signal(stop)
        try:
            run.wait(timeout=30)
        except subprocess.TimeoutExpired:
            run.kill()
            run.wait()
    wait_until(lambda: not (gunicorn_pids() & ours), 30, "gunicorn to stop with `cercle run`")
