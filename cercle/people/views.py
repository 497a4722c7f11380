from __future__ import annotations

import itertools

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cercle.accounts.permissions import NETWORK_ALL_ROLES, NETWORK_ROLES, may, role_required
from cercle.core.spreadsheet import BOM
from cercle.network.duplicates import duplicate_dismiss, duplicate_suggestions
from cercle.network.explain import strength_reasons
from cercle.network.exports import contacts_csv, contacts_vcard
from cercle.network.keep_in_touch import (
    keep_in_touch_done,
    keep_in_touch_skip,
    plan_for_week,
    reason_text,
    too_soon,
)
from cercle.network.layers import drifting, layer_contacts, layer_cutoffs, layer_of
from cercle.network.models import ContactMerge, KeepInTouch
from cercle.network.search import who_can
from cercle.network.strength import contact_score
from cercle.people import selectors, services
from cercle.people.forms import NewContactForm, NoteForm, OfferForm, ProfileForm, SearchForm
from cercle.people.introductions.selectors import panel as introduction_panel
from cercle.people.merge import contact_merge, merge_undo

PAGE_SIZE = 50


@never_cache  # it shows people: no copy in a shared or browser cache
@role_required(*NETWORK_ROLES)
def network(request: HttpRequest) -> HttpResponse:
    """The network: "who can do X?" when a question is asked, else everyone by strength."""
    user = request.user
    form = SearchForm(request.GET or None)
    query, layer = "", None
    if form.is_valid():
        query, layer = form.cleaned_data["q"].strip(), form.cleaned_data["layer"]
    cutoffs = layer_cutoffs()
    context: dict[str, object] = {"form": form, "query": query, "layer": layer, "cutoffs": cutoffs}
    if query:
        hits = who_can(query, within=selectors.contact_ids_visible_to(user))  # type: ignore[arg-type]
        context["hits"] = [(hit, layer_of(hit.contact, cutoffs)) for hit in hits]
        context["circle"] = selectors.circle_matches(query, language=get_language() or "fr")
        context["helpers"] = len(context["hits"]) + len(context["circle"])  # the circle's and the network's
    else:
        found = selectors.network_list(user)  # type: ignore[arg-type]
        if layer and may(user, "network_all"):
            found = layer_contacts(layer, cutoffs)
        page = selectors.list_page(found, request.GET.get("page"), PAGE_SIZE)
        context["page"] = page
        context["rows"] = [(c, contact_score(c), layer_of(c, cutoffs)) for c in page.object_list]
    return render(request, "people/network.html", context)


@never_cache
@role_required(*NETWORK_ROLES)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    if contact.merged_into_id is not None:
        messages.info(request, _("This person was merged into another profile."))
        return redirect("people:detail", contact.merged_into_id)
    return render(
        request,
        "people/detail.html",
        {
            "c": contact,
            "score": contact_score(contact),
            "reasons": strength_reasons(contact),
            "layer": layer_of(contact, layer_cutoffs()),
            "identities": contact.identities.order_by("kind", "value"),
            "knowers": selectors.who_in_the_hub_knows(contact, user=request.user),  # type: ignore[arg-type]
            "timeline": selectors.contact_timeline(contact, user=request.user),  # type: ignore[arg-type]
            "notes": contact.notes.select_related("author")[:50],
            "note_form": NoteForm(),
            "tags": [t.strip() for t in contact.tags.split(",") if t.strip()],
            "too_soon": too_soon(contact),
            "merges": contact.merges_kept.filter(undone_at__isnull=True).select_related("merged", "by"),
            "intro": introduction_panel(user=request.user, contact=contact),  # type: ignore[arg-type]
        },
    )


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    initial = {name: getattr(contact, name) for name in services.PROFILE_FIELDS}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.contact_profile_update(actor=request.user, contact=contact, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, _("Profile saved."))
        return redirect("people:detail", contact.pk)
    return render(request, "people/edit.html", {"c": contact, "form": form})


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def new(request: HttpRequest) -> HttpResponse:
    form = NewContactForm(request.POST or None)
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except services.ContactExists as error:
            existing = error.contact
            form.add_error(None, str(error))
        except services.PeopleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s is in the network.") % {"name": contact.display_name})
            return redirect("people:detail", contact.pk)
    return render(request, "people/new.html", {"form": form, "existing": existing})


@require_POST
@role_required(*NETWORK_ROLES)
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.contact_note_add(actor=request.user, contact=contact, text=form.cleaned_data["text"])  # type: ignore[arg-type]
        except services.PeopleError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Note added."))
    else:
        messages.error(request, _("Write the note first."))
    return redirect("people:detail", contact.pk)


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def drifting_list(request: HttpRequest) -> HttpResponse:
    return render(request, "people/drifting.html", {"drifting": drifting()})


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def duplicates(request: HttpRequest) -> HttpResponse:
    return render(request, "people/duplicates.html", {"suggestions": duplicate_suggestions()})


@require_POST
@role_required(*NETWORK_ALL_ROLES)
def merge(request: HttpRequest) -> HttpResponse:
    """Merge `merged` into `kept` (two contact ids from the suggestion's form)."""
    try:
        kept = selectors.contact_get_for_user(user=request.user, pk=int(request.POST.get("kept", "")))  # type: ignore[arg-type]
        merged = selectors.contact_get_for_user(user=request.user, pk=int(request.POST.get("merged", "")))  # type: ignore[arg-type]
    except ValueError:
        messages.error(request, _("Choose the two records to merge."))
        return redirect("people:duplicates")
    evidence = request.POST.getlist("evidence")[:5]
    try:
        contact_merge(actor=request.user, kept=kept, merged=merged, evidence=evidence)  # type: ignore[arg-type]
    except services.PeopleError as error:
        messages.error(request, str(error))
        return redirect("people:duplicates")
    messages.success(
        request,
        _(
            "%(merged)s merged into %(kept)s. Every exchange, request and note is here; the merge can be undone below."
        )
        % {"merged": merged.display_name, "kept": kept.display_name},
    )
    return redirect("people:detail", kept.pk)


@require_POST
@role_required(*NETWORK_ALL_ROLES)
def merge_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ContactMerge, pk=pk)
    try:
        merged = merge_undo(actor=request.user, merge=record)  # type: ignore[arg-type]
    except services.PeopleError as error:
        messages.error(request, str(error))
        return redirect("people:detail", record.kept_id)
    messages.success(
        request, _("Merge undone: %(name)s is a record of their own again.") % {"name": merged.display_name}
    )
    return redirect("people:detail", merged.pk)


@require_POST
@role_required(*NETWORK_ALL_ROLES)
def duplicate_dismiss_view(request: HttpRequest) -> HttpResponse:
    try:
        first = selectors.contact_get_for_user(user=request.user, pk=int(request.POST.get("one", "")))  # type: ignore[arg-type]
        second = selectors.contact_get_for_user(user=request.user, pk=int(request.POST.get("other", "")))  # type: ignore[arg-type]
    except ValueError:
        return redirect("people:duplicates")
    duplicate_dismiss(first=first, second=second, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Noted: two different people. This suggestion will not come back."))
    return redirect("people:duplicates")


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def plan(request: HttpRequest) -> HttpResponse:
    items = plan_for_week()
    return render(
        request,
        "people/plan.html",
        {"items": [(item, reason_text(item)) for item in items], "per_week": len(items)},
    )


@require_POST
@role_required(*NETWORK_ALL_ROLES)
def plan_mark(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(KeepInTouch, pk=pk)
    if request.POST.get("action") == "done":
        keep_in_touch_done(item=item)
        messages.success(
            request, _("Noted: you reached out to %(name)s.") % {"name": item.contact.display_name}
        )
    else:
        keep_in_touch_skip(item=item)
        messages.info(request, _("%(name)s is off this week's plan.") % {"name": item.contact.display_name})
    return redirect("people:plan")


@never_cache
@role_required(*NETWORK_ROLES)
def my_offer(request: HttpRequest) -> HttpResponse:
    """ "Which problem am I the solution to, and for whom?" — the leader's and each member's own answer."""
    form = OfferForm(request.POST or None, initial={"offer_statement": request.user.offer_statement})  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        services.offer_statement_set(actor=request.user, text=form.cleaned_data["offer_statement"])  # type: ignore[arg-type]
        messages.success(request, _("Your offer is saved: “who can do X?” now finds you with it."))
        return redirect("people:my_offer")
    return render(request, "people/my_offer.html", {"form": form})


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def export_contacts(request: HttpRequest, fmt: str) -> HttpResponse:
    """The network's contacts as CSV or vCard, streamed (a large network never sits in memory)."""
    contacts = (
        selectors.network_list(request.user)  # type: ignore[arg-type]
        .prefetch_related("identities")
        .iterator(chunk_size=2000)
    )
    day = timezone.localdate().isoformat()  # named like the other exports: network-2026-12-06.csv
    if fmt == "vcard":
        response = StreamingHttpResponse(contacts_vcard(contacts), content_type="text/vcard; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="network-{day}.vcf"'
    else:
        # With the byte order mark, as the other CSV exports: a spreadsheet then reads the accents right.
        rows = itertools.chain([BOM], contacts_csv(contacts))
        response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="network-{day}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
