from django.contrib import admin

from cercle.intake.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "from_email", "direction", "kind", "sent_at")
    list_filter = ("direction", "kind")
    search_fields = ("subject", "from_email", "message_id")
    raw_id_fields = ("request",)
    exclude = ("raw_compressed",)
