"""`cercle demo`: load the demo hub and print the logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cercle.accounts.models import User
from cercle.circulation.models import Request
from cercle.demo.build import build, demo_logins
from cercle.network.models import Contact


class Command(BaseCommand):
    help = (
        "Create a demo hub: a leader, a second, six circle members, about forty requests and a network of "
        "about three hundred people with two years of exchanges."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.exists():
            raise CommandError("The database already has users: the demo hub only loads into an empty one.")
        build()
        requests, people = Request.objects.count(), Contact.objects.filter(in_network=True).count()
        self.stdout.write(
            self.style.SUCCESS(f"Demo hub loaded: {requests} requests, {people} people in the network.")
        )
        for line in demo_logins():
            self.stdout.write(line)
