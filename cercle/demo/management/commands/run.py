"""`cercle run`: the embedded default in one command — gunicorn serving the web app (several worker
processes, static files by whitenoise) and the huey worker, started and stopped together."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY

from cercle.accounts.models import User
from cercle.core.processes import terminate_with_parent
from cercle.demo.build import demo_logins
from cercle.triage.tasks import retrain


class Command(BaseCommand):
    help = "Migrate, load the demo hub on an empty database, then serve the web app and run the worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo hub.")
        parser.add_argument(
            "--no-worker", action="store_true", help="Serve only (run `cercle worker` apart)."
        )
        parser.add_argument(
            "--web-workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1)),
            help="gunicorn worker processes (default: cores + 1; env WEB_CONCURRENCY).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        env = dict(os.environ)
        if not os.environ.get("SITE_URL"):
            # Links in the mail Cercle sends (offers, password reset) point where this server listens.
            settings.SITE_URL = env["SITE_URL"] = f"http://{host}:{port}"
        call_command("migrate", interactive=False, verbosity=0)
        fresh_demo = not options["no_demo"] and not User.objects.exists()
        if fresh_demo:
            call_command("demo", stdout=self.stdout)
        elif lines := demo_logins():
            for line in lines:
                self.stdout.write(line)
        web = self._serve(host, port, max(1, options["web_workers"]), env)
        self.stdout.write(self.style.SUCCESS(f"Cercle is running at http://{host}:{port}/  (Ctrl-C to stop)"))
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        try:
            if options["no_worker"]:
                web.wait()
                return
            # The huey consumer wants the main thread (it installs signal handlers for a clean stop).
            autodiscover_modules("tasks")  # register every app's tasks, as `run_huey` does
            if fresh_demo:
                # The demo's decisions are enough to learn from: the quality page shows a trained model at once.
                retrain()
            consumer = HUEY.create_consumer(workers=2, worker_type="thread", periodic=True)
            consumer.run()
        finally:
            if web.poll() is None:
                web.terminate()
                try:
                    web.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    web.kill()
                    web.wait()

    def _serve(self, host: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
        """gunicorn in its own process group of workers; it gets SIGTERM if this process dies."""
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            f"--bind={host}:{port}",
            f"--workers={workers}",
            "--worker-class=gthread",
            "--threads=4",
            "--graceful-timeout=10",
            "--log-level=warning",
        ]
        web = subprocess.Popen(command, env=env, preexec_fn=terminate_with_parent)
        deadline = time.monotonic() + 60
        while True:
            if web.poll() is not None:
                raise CommandError(f"The web server stopped at start (is port {port} already in use?).")
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    return web
            except OSError:
                if time.monotonic() > deadline:
                    web.terminate()
                    raise CommandError(f"The web server did not start listening on {host}:{port}.") from None
                time.sleep(0.1)
