import json

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cercle.outbox.models import (
    HubIdentity,
    MailTemplate,
    OutgoingMessage,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from cercle.outbox.webhooks import webhook_retry, webhook_secret_new, webhook_secret_rotate


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


# --- Webhooks (outbox/webhooks.py, docs/webhooks.md) -------------------------------------------------


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "events", "active")


def _show_secret(request: HttpRequest, endpoint: WebhookEndpoint, secret: str) -> None:
    messages.warning(
        request,
        format_html(
            "{} <code>{}</code>",
            gettext("Secret of %(url)s, shown once: copy it into the receiver now.") % {"url": endpoint.url},
            secret,
        ),
    )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "description", "active", "events_shown", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "description")
    readonly_fields = ("created_at", "created_by")
    actions = ("rotate_secret",)

    @admin.display(description=_("events"))
    def events_shown(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: forms.Form, change: bool) -> None:
        secret = ""
        if not change:
            secret = webhook_secret_new()
            obj.secret = secret
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        if secret:
            _show_secret(request, obj, secret)

    @admin.action(description=_("Rotate the secret (the old one stops working at once)"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            _show_secret(request, endpoint, webhook_secret_rotate(endpoint=endpoint))


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
    )
    list_filter = ("status", "event")
    search_fields = ("idempotency_key", "endpoint__url")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields if f.name not in ("payload", "log")] + [
        "payload_shown",
        "log_shown",
    ]
    exclude = ("payload", "log")
    actions = ("retry_now",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("payload"))
    def payload_shown(self, delivery: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(delivery.payload, indent=2, ensure_ascii=False))

    @admin.display(description=_("attempts log"))
    def log_shown(self, delivery: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(delivery.log, indent=2, ensure_ascii=False))

    @admin.action(description=_("Retry now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        queued = sum(
            webhook_retry(delivery_id=pk) == "queued" for pk in queryset.values_list("pk", flat=True)
        )
        text = ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", queued)
        messages.info(request, text % {"count": queued})
