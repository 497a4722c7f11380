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


class RequesterMailForm(forms.Form):
    """What the second writes to the requester from the request page."""

    subject = forms.CharField(
        label=_("Subject"),
        max_length=300,
        error_messages={"required": _("Give your message a subject.")},
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=20_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write your message before sending it.")},
    )
    # One per form shown: the same form sent twice (a double click, a reload) queues one mail.
    token = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
