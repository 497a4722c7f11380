from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.accounts.models import User
from cercle.circle.models import MAX_ANSWER_HOURS, OfferMode, offer_answer_hours_default
from cercle.circulation.states import State


class RouteForm(forms.Form):
    expected_state = forms.ChoiceField(choices=State.choices, required=False, widget=forms.HiddenInput)
    members = forms.TypedMultipleChoiceField(
        label=_("Circle members"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pick at least one circle member.")},
    )
    brief = forms.CharField(
        label=_("Brief for the members"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the requester needs, why it matters, what is expected of the project lead."),
    )

    # Offers that never stall: the order (one at a time) or all at once, and how long each has to answer.
    mode = forms.ChoiceField(
        label=_("How to offer it"),
        choices=OfferMode.choices,
        required=False,  # a page from before the choice existed offered to everyone at once
        widget=forms.RadioSelect,
    )
    answer_hours = forms.IntegerField(
        label=_("Time to answer (hours)"),
        min_value=1,
        max_value=MAX_ANSWER_HOURS,
        required=False,
        help_text=_("Without an answer by then, the offer moves on to the next member, and you are told."),
    )

    def __init__(self, *args: object, member_choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["members"].choices = member_choices  # type: ignore[attr-defined]
        self.fields["answer_hours"].initial = offer_answer_hours_default()

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        data["mode"] = data.get("mode") or OfferMode.PARALLEL
        data["answer_hours"] = data.get("answer_hours") or offer_answer_hours_default()
        # The order: each ticked member's number ("order_<id>"), then the order of the page.
        picked = list(data.get("members") or [])

        def rank(pk: int) -> tuple[int, int]:
            try:
                number = int(str(self.data.get(f"order_{pk}", "")).strip())
            except ValueError:
                number = 10_000
            return (number if number > 0 else 10_000, picked.index(pk))

        data["members"] = sorted(picked, key=rank)
        return data


class SuggestColleagueForm(forms.Form):
    """Decline and name a colleague of the circle ("suggest someone else")."""

    colleague = forms.TypedChoiceField(
        label=_("Who would be better placed?"),
        coerce=int,
        error_messages={"required": _("Choose the colleague you suggest.")},
    )
    note = forms.CharField(
        label=_("A word for them and the second (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: object, colleagues: list[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.colleagues = {c.pk: c for c in colleagues}
        self.fields["colleague"].choices = [("", "—"), *((c.pk, c.display_name) for c in colleagues)]  # type: ignore[attr-defined]


class DeclineOfferForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Say in a few words why you decline, so the second can route it better.")
        },
    )
