from django.contrib import admin

from cercle.intake.models import QuarantinedMessage


@admin.register(QuarantinedMessage)
class QuarantinedMessageAdmin(admin.ModelAdmin):
    list_display = ("source", "reason", "size", "attempts", "created_at")
    search_fields = ("source", "reason")
    exclude = ("raw_compressed",)
    readonly_fields = ("digest", "source", "reason", "size", "attempts")
