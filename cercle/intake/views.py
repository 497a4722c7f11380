"""The stored mail itself, downloaded: an attachment, or the original message as received; and the
hub's intake settings.

Downloads go through the request's fetch-and-authorize (a request the user may not see is a 404), and both
are served so that a browser can never render or run them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cercle.accounts.permissions import TRIAGE_ROLES, role_required
from cercle.circulation import selectors
from cercle.intake.forms import IntakeSettingsForm
from cercle.intake.models import IntakeSettings
from cercle.intake.services import intake_settings_update
from cercle.mail.attachments import (
    MISSING,
    AttachmentUnavailable,
    attachment_content_type,
    attachment_filename,
    attachment_name,
    attachment_open,
)
from cercle.network.services import contact_remote_images_allow


@login_required
def attachment(request: HttpRequest, pk: int, message_pk: int, index: int) -> HttpResponse:
    """One attachment of a message of the request, as a download that a browser never renders."""
    req, entry = selectors.message_attachment_for_user(
        user=request.user,  # type: ignore[arg-type]
        request_id=pk,
        message_id=message_pk,
        index=index,
    )
    try:
        handle = attachment_open(entry)
    except AttachmentUnavailable as exc:
        return render(
            request,
            "intake/attachment_unavailable.html",
            {"r": req, "name": attachment_name(entry), "reason": exc.label},
            status=410 if exc.reason == MISSING else 404,
        )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment_filename(entry),
        content_type=attachment_content_type(entry),
    )
    # Belt and braces: even opened in place, it cannot sniff its way to HTML nor run anything.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def message_original(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    """The message exactly as received (or sent), as an .eml download: to forward it, or to keep it."""
    message = selectors.message_for_user(
        user=request.user,  # type: ignore[arg-type]
        request_id=pk,
        message_id=message_pk,
    )
    if not selectors.original_visible_to(request=message.request, user=request.user):  # type: ignore[arg-type]
        raise Http404(_("No such message."))
    raw = message.raw
    if raw is None:
        raise Http404(_("This message was not received by mail: there is no original to download."))
    response = HttpResponse(raw, content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@role_required(*TRIAGE_ROLES)
def remote_images_allow(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    """ "Load images from this sender": from now on their HTML mail shows its remote images."""
    message = selectors.message_for_user(
        user=request.user,  # type: ignore[arg-type]
        request_id=pk,
        message_id=message_pk,
    )
    contact_remote_images_allow(actor=request.user, email=message.from_email)  # type: ignore[arg-type]
    messages.success(
        request, _("Images from %(sender)s now load in their messages.") % {"sender": message.from_email}
    )
    return redirect(f"{reverse('circulation:detail', args=[pk])}#message-{message.pk}")


@require_http_methods(["GET", "POST"])
@role_required(*TRIAGE_ROLES)
def hub_settings(request: HttpRequest) -> HttpResponse:
    """What the hub does with what arrives: the second or the leader decides."""
    current = IntakeSettings.current()
    # An unticked box sends nothing: an empty POST is still a form sent (not `request.POST or None`).
    data = request.POST if request.method == "POST" else None
    form = IntakeSettingsForm(
        data, initial={"first_mail_receipt": current.first_mail_receipt, "hub_aliases": current.hub_aliases}
    )
    if request.method == "POST" and form.is_valid():
        intake_settings_update(
            actor=request.user,  # type: ignore[arg-type]
            first_mail_receipt=form.cleaned_data["first_mail_receipt"],
            hub_aliases=form.cleaned_data["hub_aliases"],
        )
        messages.success(request, _("Settings saved."))
        return redirect("intake:settings")
    return render(
        request,
        "intake/settings.html",
        {"form": form, "current": current, "hours": settings.CERCLE["ANSWER_TARGET_HOURS"]},
    )
