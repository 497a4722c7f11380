"""`cercle run`: the embedded default in one process — web server and huey worker together."""

from __future__ import annotations

import os
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.servers.basehttp import run as serve
from django.core.wsgi import get_wsgi_application
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY

from cercle.accounts.models import User
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

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not os.environ.get("SITE_URL"):
            # Links in the mail Cercle sends (offers, password reset) point where this server listens.
            settings.SITE_URL = f"http://{host}:{port}"
        call_command("migrate", interactive=False, verbosity=0)
        fresh_demo = not options["no_demo"] and not User.objects.exists()
        if fresh_demo:
            call_command("demo", stdout=self.stdout)
        elif lines := demo_logins():
            for line in lines:
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Cercle is running at http://{host}:{port}/  (Ctrl-C to stop)"))
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        application = get_wsgi_application()
        web = threading.Thread(
            target=serve, args=(host, port, application), kwargs={"threading": True}, daemon=True
        )
        web.start()
        if options["no_worker"]:
            web.join()
            return
        # The huey consumer wants the main thread (it installs signal handlers for a clean stop).
        autodiscover_modules("tasks")  # register every app's tasks, as `run_huey` does

        if fresh_demo:
            # The demo's decisions are enough to learn from: the quality page shows a trained model at once.
            retrain()
        consumer = HUEY.create_consumer(workers=2, worker_type="thread", periodic=True)
        consumer.run()
