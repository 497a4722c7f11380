from django.contrib import admin

from cercle.triage.models import Brief, SenderRule, Suggestion, TrainingRun


@admin.register(SenderRule)
class SenderRuleAdmin(admin.ModelAdmin):
    list_display = ("value", "scope", "action", "reason", "active", "hits", "created_by", "created_at")
    list_filter = ("action", "scope", "active")
    search_fields = ("value",)
    raw_id_fields = ("created_by",)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = (
        "request",
        "category",
        "confidence",
        "score",
        "known_sender",
        "model_version",
        "computed_at",
    )
    list_filter = ("category", "known_sender")
    raw_id_fields = ("request", "rule")
    readonly_fields = ("probabilities", "reasons", "signals")


@admin.register(Brief)
class BriefAdmin(admin.ModelAdmin):
    list_display = ("request", "person", "organisation", "deadline", "budget", "edited_by")
    raw_id_fields = ("request", "edited_by")


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "status", "decisions", "held_out")
    exclude = ("artefact",)
    readonly_fields = ("metrics",)
