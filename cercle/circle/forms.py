from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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

    def __init__(self, *args: object, member_choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["members"].choices = member_choices  # type: ignore[attr-defined]


class DeclineOfferForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Say in a few words why you decline, so the second can route it better.")
        },
    )
