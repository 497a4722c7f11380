from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cercle.accounts.permissions import OVERSEE_ROLES, ROUTE_ROLES, TRIAGE_ROLES, role_required
from cercle.outbox import selectors, services
from cercle.outbox.forms import DRAFT_KEY, HubIdentityForm
from cercle.outbox.models import OutgoingStatus


@role_required(*OVERSEE_ROLES)
def outbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in OutgoingStatus.values:
        status = None
    return render(
        request,
        "outbox/outbox.html",
        {
            "messages_out": selectors.outbox_list(status=status),
            "status": status,
            "statuses": OutgoingStatus.choices,
        },
    )


@require_POST
@role_required(*ROUTE_ROLES)
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    result = services.outbox_retry(outgoing_id=pk, confirm_uncertain=request.POST.get("confirm") == "1")
    if result == "queued":
        messages.success(request, _("Queued again for delivery."))
    elif result == "confirm":
        messages.error(
            request,
            _(
                "This message may already have left: tick “Send it again anyway” if you checked that it "
                "did not arrive, or that a second copy is fine."
            ),
        )
    else:
        messages.error(request, _("Only a failed message can be retried."))
    return redirect("outbox:list")


@require_POST
@role_required(*TRIAGE_ROLES)
def identity(request: HttpRequest) -> HttpResponse:
    """The hub's sender, reply-to and the leader's signature, saved from the settings page (the form is
    drawn there by `{% hub_identity_form %}`); back to the page it came from."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    form = HubIdentityForm(request.POST)
    if form.is_valid():
        services.hub_identity_update(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, _("The hub's mail identity is saved."))
    else:
        # What was typed comes back in the form, with each error under its field (`{% hub_identity_form %}`
        # reads it once): a bad address does not cost the signature just written.
        request.session[DRAFT_KEY] = {name: request.POST.get(name, "") for name in form.fields}
        messages.error(
            request,
            _("Not saved: %(errors)s")
            % {
                "errors": "; ".join(
                    _("%(field)s: %(error)s") % {"field": form.fields[k].label, "error": " ".join(v)}
                    for k, v in form.errors.items()
                )
            },
        )
    return redirect(back or "outbox:list")
