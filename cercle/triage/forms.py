from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.circulation.states import DismissReason
from cercle.triage.models import Brief, RuleAction, RuleScope


class BriefForm(forms.ModelForm):
    class Meta:
        model = Brief
        fields = [
            "person",
            "organisation",
            "role",
            "need",
            "goal",
            "deadline",
            "urgency",
            "budget",
            "language",
        ]
        widgets = {
            "need": forms.Textarea(attrs={"rows": 3}),
            "goal": forms.Textarea(attrs={"rows": 2}),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class RuleForm(forms.Form):
    scope = forms.ChoiceField(label=_("For"), choices=RuleScope.choices)
    action = forms.ChoiceField(label=_("Action"), choices=RuleAction.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *DismissReason.choices], required=False)
    apply_waiting = forms.BooleanField(
        label=_("Also apply to the waiting messages"), required=False, initial=True
    )


class BulkDismissForm(forms.Form):
    sender_key = forms.CharField(max_length=320, widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=DismissReason.choices)


class UndoForm(forms.Form):
    """The decision to undo: its event, as the confirmation of the decision gave it."""

    event = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
