from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "cercle.triage"
    label = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from cercle.core.notes import labels_register
        from cercle.triage.models import RuleAction

        # A sender rule named in a request's history ("Dismiss · @example.com") reads in each reader's language.
        labels_register(rule_action=RuleAction)
