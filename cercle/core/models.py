from __future__ import annotations

from django.db import models


class Lease(models.Model):
    """A named right to run one job at a time, owned by a live process (see core/leases.py)."""

    name = models.CharField(max_length=200, primary_key=True)
    owner = models.CharField(max_length=200)  # host:pid:random, unique per holder
    acquired_at = models.DateTimeField()
    renewed_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} ({self.owner} until {self.expires_at:%H:%M:%S})"
