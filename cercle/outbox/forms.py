from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cercle.outbox.models import HubIdentity
from cercle.outbox.services import outbox_enqueue


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset mail goes through the outbox like every other message (retries, visible failures)."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context.get("user")
        # In the language the person last used Cercle in, not the language of whoever asked for the reset.
        with translation.override(getattr(user, "language", None) or translation.get_language()):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
        token_hash = hashlib.sha256(f"{context['uid']}:{context['token']}".encode()).hexdigest()[:32]
        outbox_enqueue(idempotency_key=f"pwreset:{token_hash}", to=[to_email], subject=subject, body=body)


# The session key under which a refused identity form waits to be shown again, as typed.
DRAFT_KEY = "hub_identity_draft"

_INVALID_EMAIL = {"invalid": _("Enter a valid e-mail address.")}


def _field(name: str) -> dict[str, Any]:
    field = HubIdentity._meta.get_field(name)
    return {"label": field.verbose_name, "help_text": field.help_text, "required": False}


class HubIdentityForm(forms.Form):
    """The sender, the reply-to address and the leader's signature, on the settings page: the model's own
    labels and help texts, so that the page and the admin agree."""

    from_name = forms.CharField(max_length=200, **_field("from_name"))
    from_email = forms.EmailField(error_messages=_INVALID_EMAIL, **_field("from_email"))
    reply_to = forms.EmailField(error_messages=_INVALID_EMAIL, **_field("reply_to"))
    signature = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=1000, **_field("signature")
    )
