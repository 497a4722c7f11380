from django.apps import AppConfig


class CirculationConfig(AppConfig):
    name = "cercle.circulation"
    label = "circulation"

    def ready(self) -> None:
        from cercle.circulation.models import Channel, ClockStage, LeadKind
        from cercle.circulation.states import DismissReason, Outcome, State
        from cercle.core.notes import labels_register

        # History notes name these choices; each reader gets their label in their own language.
        labels_register(
            state=State,
            channel=Channel,
            dismiss_reason=DismissReason,
            outcome=Outcome,
            clock_stage=ClockStage,
            lead_kind=LeadKind,
        )
