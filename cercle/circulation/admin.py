from django.contrib import admin

from cercle.circulation.models import ClockStep, DigestRun, Event, Message, Request


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "kind", "from_state", "to_state", "note")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ("subject", "requester", "state", "received_at", "lead")
    list_filter = ("state", "channel", "language")
    search_fields = ("subject", "requester__email", "requester__name")
    raw_id_fields = ("requester", "lead")
    # State moves only through the services, so that every change is audited.
    readonly_fields = (
        "state",
        "state_changed_at",
        "lead",
        "outcome",
        "kept_at",
        "answered_at",
        "lead_at",
        "closed_at",
    )
    inlines = [EventInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "from_email", "direction", "kind", "sent_at")
    list_filter = ("direction", "kind")
    search_fields = ("subject", "from_email", "message_id")
    raw_id_fields = ("request",)
    exclude = ("raw_compressed",)


@admin.register(ClockStep)
class ClockStepAdmin(admin.ModelAdmin):
    """The reminders and escalations sent: an audit, written only by circulation/escalation.py."""

    list_display = ("request", "stage", "level", "since", "at")
    list_filter = ("stage", "level")
    raw_id_fields = ("request",)
    readonly_fields = ("request", "stage", "since", "level", "at", "recipients")


@admin.register(DigestRun)
class DigestRunAdmin(admin.ModelAdmin):
    list_display = ("kind", "user", "day", "count", "at")
    list_filter = ("kind",)
    readonly_fields = ("kind", "user", "day", "count", "at", "outgoing")
