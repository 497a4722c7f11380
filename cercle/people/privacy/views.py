from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cercle.accounts.permissions import NETWORK_ALL_ROLES, role_required
from cercle.people.privacy import services
from cercle.people.privacy.forms import EraseForm
from cercle.people.privacy.selectors import erase_plan, person_live
from cercle.people.selectors import contact_get_for_user


@never_cache
@require_POST  # it records who exported whom: not something a prefetched link may do
@role_required(*NETWORK_ALL_ROLES)
def export_person(request: HttpRequest, pk: int) -> HttpResponse:
    contact = person_live(contact_get_for_user(user=request.user, pk=pk))  # type: ignore[arg-type]
    export = services.person_export(actor=request.user, contact=contact)  # type: ignore[arg-type]
    response = StreamingHttpResponse(export.chunks, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response  # type: ignore[return-value]  # streamed: a zip of years of mail never sits in memory


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def erase_person(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview of what goes (GET), and the erase once confirmed (POST)."""
    contact = contact_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    live = person_live(contact)
    if live.pk != contact.pk:
        return redirect("people:erase_person", live.pk)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_erase(
                actor=request.user,  # type: ignore[arg-type]
                contact=contact,
                confirmation=form.cleaned_data["confirmation"],
                seen=request.POST.get("seen", "")[:64],
            )
        except services.ConfirmationMismatch as error:
            form.add_error("confirmation", str(error))
        except services.PrivacyError as error:
            form.add_error(None, str(error))
        else:
            # No name in the message either: it is all that is left of them.
            messages.success(request, _("The person and everything that was theirs were erased."))
            return redirect("people:network")
    plan = erase_plan(contact)
    return render(
        request,
        "people/privacy/erase.html",
        {"c": contact, "plan": plan, "fingerprint": plan.fingerprint(), "form": form},
    )
