from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "cercle.triage"
    label = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from cercle.circulation.models import Request
        from cercle.triage import signals

        post_save.connect(signals.request_created, sender=Request, dispatch_uid="triage.request_created")
