from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cercle.accounts.permissions import OVERSEE_ROLES, ROUTE_ROLES, role_required
from cercle.outbox import selectors, services
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
