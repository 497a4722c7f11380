from django.contrib import admin

from cercle.outbox.models import HubIdentity, MailTemplate, OutgoingMessage


@admin.register(MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin):
    list_display = ("key", "language", "subject")
    list_filter = ("key", "language")


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status",)
    search_fields = ("subject", "message_id")
    readonly_fields = [f.name for f in OutgoingMessage._meta.fields]


@admin.register(HubIdentity)
class HubIdentityAdmin(admin.ModelAdmin):
    list_display = ("from_name", "from_email", "reply_to", "updated_at")
