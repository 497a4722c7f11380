"""`{% hub_identity_form %}`: the hub's mail identity (sender, reply-to, the leader's signature), drawn on
the settings page without that page's app knowing the outbox's model or form."""

from __future__ import annotations

from typing import Any

from django import template

from cercle.outbox.forms import DRAFT_KEY, HubIdentityForm
from cercle.outbox.models import HubIdentity
from cercle.outbox.selectors import sender_identity, sender_is_local

register = template.Library()


@register.inclusion_tag("outbox/partials/_identity_form.html", takes_context=True)
def hub_identity_form(context: template.Context) -> dict[str, Any]:
    saved = HubIdentity.current()
    sender = sender_identity()
    request = context.get("request")
    draft = request.session.pop(DRAFT_KEY, None) if request is not None else None
    if draft:  # refused a moment ago: shown as typed, with its errors
        form = HubIdentityForm(draft)
        form.is_valid()
    else:
        form = HubIdentityForm(
            initial={
                "from_name": saved.from_name,
                "from_email": saved.from_email,
                "reply_to": saved.reply_to,
                "signature": saved.signature,
            }
        )
    # An empty field keeps the environment's default: shown in it, greyed.
    for name, default in (("from_name", sender.name), ("from_email", sender.email)):
        form.fields[name].widget.attrs["placeholder"] = default
    return {
        "form": form,
        "saved": saved,
        "sender": sender,
        "local": sender_is_local(sender),
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path() if request is not None else "",
    }
