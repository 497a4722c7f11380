"""Warm introduction paths on the screens: "who can introduce us" on a profile, "reach someone" on the
network page, and "knows …" (a tie the team records). Leader and second only: a path shows people a
member may not see."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cercle.accounts.permissions import NETWORK_ALL_ROLES, role_required
from cercle.network.models import Contact
from cercle.network.paths import introduction_paths, targets_by_name
from cercle.network.ties import tie_record_manual
from cercle.people import selectors

REACH_TARGETS = 3


class KnowsForm(forms.Form):
    other = forms.CharField(label=gettext_lazy("Knows…"), max_length=254)


class ReachForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    organisation = forms.CharField(label=gettext_lazy("Organisation"), max_length=200, required=False)


def _other_contact(text: str) -> Contact | list[Contact]:
    """The contact named by an address or a name: one, or the candidates when several or none match."""
    text = text.strip()
    if "@" in text:
        found = list(Contact.objects.filter(email__iexact=text, merged_into__isnull=True)[:1])
    else:
        found = targets_by_name(name=text)
    return found[0] if len(found) == 1 else found


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def contact_paths(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    context = {"c": contact, "paths": introduction_paths(target_id=contact.pk), "knows_form": KnowsForm()}
    if request.headers.get("HX-Request"):
        return render(request, "people/paths/_paths.html", context)
    return render(request, "people/paths/contact.html", context)


@require_POST
@role_required(*NETWORK_ALL_ROLES)
def knows(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    form = KnowsForm(request.POST)
    if form.is_valid():
        other = _other_contact(form.cleaned_data["other"])
        if isinstance(other, list):
            if other:
                messages.error(request, _("Several people match: type their e-mail address."))
            else:
                messages.error(request, _("Nobody in the network matches."))
        elif other.pk == contact.pk:
            messages.error(request, _("A person cannot be introduced to themself."))
        else:
            tie_record_manual(actor=request.user, contact=contact, other=other)  # type: ignore[arg-type]
            messages.success(
                request,
                _("Noted: %(name)s knows %(other)s.")
                % {"name": contact.display_name, "other": other.display_name},
            )
    return redirect("people:detail", contact.pk)


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def reach(request: HttpRequest) -> HttpResponse:
    """Reach someone known by name and organisation: the contacts who may be them, and the paths to each;
    when nobody matches, the people of that organisation the hub may go through."""
    form = ReachForm(request.GET or None)
    results: list[tuple[Contact, list]] = []
    colleagues: list[tuple[Contact, list]] = []
    asked = False
    if form.is_valid() and (form.cleaned_data["name"].strip() or form.cleaned_data["organisation"].strip()):
        asked = True
        name, organisation = form.cleaned_data["name"], form.cleaned_data["organisation"]
        for target in targets_by_name(name=name, organisation=organisation, limit=REACH_TARGETS):
            results.append((target, introduction_paths(target_id=target.pk)))
        if not results and name.strip() and organisation.strip():
            for target in targets_by_name(name="", organisation=organisation, limit=REACH_TARGETS):
                colleagues.append((target, introduction_paths(target_id=target.pk)))
    return render(
        request,
        "people/paths/reach.html",
        {"reach_form": form, "asked": asked, "results": results, "colleagues": colleagues},
    )


urlpatterns = [
    path("reach/", reach, name="reach"),
    path("<int:pk>/paths/", contact_paths, name="paths"),
    path("<int:pk>/knows/", knows, name="knows"),
]
