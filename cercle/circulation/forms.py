from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.circulation.states import DismissReason, Outcome, State


class DecisionForm(forms.Form):
    """Common to every one-gesture decision: what the actor saw, and an optional note."""

    expected_state = forms.ChoiceField(choices=State.choices, required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DismissForm(DecisionForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=DismissReason.choices)


class CloseForm(DecisionForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    value = forms.DecimalField(
        label=_("Value (optional)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
