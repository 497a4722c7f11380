"""Member profiles for routing: what each member offers, their skills, languages, capacity and when they
are away — edited by the member themselves or by the second (and the leader), with their past projects."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from cercle.accounts.models import Role, User
from cercle.accounts.permissions import ROUTE_ROLES, has_role, role_required
from cercle.circle.models import MemberProfile
from cercle.circle.words import member_words_refresh
from cercle.circulation.models import Request
from cercle.circulation.states import State
from cercle.core.text import visible

LANGUAGE_CODES = {"fr", "en", "de", "es", "it", "pt", "nl", "ar", "zh"}


def may_edit_profile(actor: User, member: User) -> bool:
    return actor.pk == member.pk or has_role(actor, ROUTE_ROLES)


def member_profile_update(*, actor: User, member: User, **fields: object) -> MemberProfile:
    """The member, or the second or the leader for them, says what they offer and when they can take work."""
    if not may_edit_profile(actor, member) or member.role != Role.MEMBER:
        raise PermissionDenied
    with transaction.atomic():
        profile, _created = MemberProfile.objects.select_for_update().get_or_create(user=member)
        for name in ("headline_fr", "headline_en", "skills", "offers", "languages"):
            if name in fields:
                setattr(profile, name, visible(str(fields[name] or "")).strip())
        if "capacity" in fields:
            profile.capacity = int(fields["capacity"])  # type: ignore[call-overload]
        if "unavailable_until" in fields:
            profile.unavailable_until = fields["unavailable_until"]  # type: ignore[assignment]
        profile.save()
        # Routing reads what they say they do from the words stored for them: built again now.
        member_words_refresh(member_ids=[member.pk])
    return profile


def past_projects(member: User) -> QuerySet[Request]:
    return (
        Request.objects.filter(lead=member, state__in=[State.ACCEPTED, State.KICKED_OFF, State.CLOSED])
        .select_related("requester")
        .order_by("-lead_at", "-pk")[:30]
    )


class MemberProfileForm(forms.Form):
    headline_fr = forms.CharField(label=gettext_lazy("Headline (French)"), max_length=200, required=False)
    headline_en = forms.CharField(label=gettext_lazy("Headline (English)"), max_length=200, required=False)
    offers = forms.CharField(
        label=gettext_lazy("What I offer"),
        help_text=gettext_lazy(
            "The problems you solve and for whom, in French or English: routing reads it."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
    skills = forms.CharField(
        label=gettext_lazy("Skills"),
        help_text=gettext_lazy("Separated by commas."),
        max_length=500,
        required=False,
    )
    languages = forms.CharField(
        label=gettext_lazy("Working languages"),
        help_text=gettext_lazy("Codes separated by commas, e.g. fr, en."),
        max_length=50,
        required=False,
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Capacity"),
        help_text=gettext_lazy("How many projects you can lead at once."),
        min_value=0,
        max_value=50,
    )
    unavailable_until = forms.DateField(
        label=gettext_lazy("Not available until"),
        help_text=gettext_lazy("Holidays, a busy month: no new project suggested before this date."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_languages(self) -> str:
        codes = [
            c.strip().lower()
            for c in self.cleaned_data["languages"].replace(";", ",").split(",")
            if c.strip()
        ]
        unknown = [c for c in codes if c not in LANGUAGE_CODES]
        if unknown:
            raise forms.ValidationError(
                _("Unknown language code: %(codes)s (use fr, en, de, es…).") % {"codes": ", ".join(unknown)}
            )
        return ", ".join(dict.fromkeys(codes))

    def clean_unavailable_until(self) -> date | None:
        value = self.cleaned_data["unavailable_until"]
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("This date is past: leave it empty when you are available."))
        return value


@never_cache
@role_required(Role.MEMBER, *ROUTE_ROLES)
def profile_edit(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    member = request.user if user_id is None else get_object_or_404(User, pk=user_id, role=Role.MEMBER)
    if not may_edit_profile(request.user, member) or member.role != Role.MEMBER:  # type: ignore[arg-type,union-attr]
        raise PermissionDenied
    profile = MemberProfile.objects.filter(user=member).first() or MemberProfile(user=member)  # type: ignore[misc]
    initial = {
        "headline_fr": profile.headline_fr,
        "headline_en": profile.headline_en,
        "offers": profile.offers,
        "skills": profile.skills,
        "languages": profile.languages,
        "capacity": profile.capacity,
        "unavailable_until": profile.unavailable_until,
    }
    form = MemberProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        member_profile_update(actor=request.user, member=member, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, _("Profile saved: routing reads it from now on."))
        return redirect(request.path)
    return render(
        request,
        "circle/profile.html",
        {
            "member": member,
            "form": form,
            "projects": past_projects(member),
            "own": member.pk == request.user.pk,
        },  # type: ignore[arg-type]
    )
