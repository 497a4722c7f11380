from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from cercle.circulation.models import ClockSettings, LeadKind
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


class LeadKindForm(forms.Form):
    """What kind of lead a request is; empty: not said."""

    lead_kind = forms.ChoiceField(
        label=_("Kind of lead"), choices=[("", _("Not said")), *LeadKind.choices], required=False
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


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]

MAX_HOURS = 8760

LIMIT_FIELDS = (
    "triage_hours",
    "leader_hours",
    "later_hours",
    "routing_hours",
    "offer_hours",
    "first_contact_hours",
    "first_meeting_hours",
)


class ClockSettingsForm(forms.ModelForm):
    """The clocks' page: each stage's limit, the escalation delay, the leader's digest."""

    digest_days = forms.TypedMultipleChoiceField(
        label=_("Digest days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    proof_weekday = forms.TypedChoiceField(label=_("Weekly proof list on"), choices=WEEKDAYS, coerce=int)

    class Meta:
        model = ClockSettings
        fields = [
            *LIMIT_FIELDS,
            "escalation_hours",
            "reminders_enabled",
            "digest_enabled",
            "digest_time",
            "digest_days",
            "proof_weekday",
        ]
        widgets = {"digest_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
        labels = {
            "triage_hours": _("Triage (the second keeps or dismisses)"),
            "leader_hours": _("The leader's decision"),
            "later_hours": _("Set aside for later, until the leader decides"),
            "routing_hours": _("Routing (the second offers it to the circle)"),
            "offer_hours": _("Offer (a member answers)"),
            "first_contact_hours": _("First contact (the project lead calls the requester)"),
            "first_meeting_hours": _("First meeting (set in the project)"),
            "escalation_hours": _("Then, between two escalations"),
            "reminders_enabled": _("Send the reminders and escalations"),
            "digest_enabled": _("Send the leader's daily digest"),
            "digest_time": _("Digest time"),
        }
        help_texts = {
            "escalation_hours": _(
                "After a stage's limit, a reminder goes to whoever holds the request; this many hours "
                "later the second is told, as many again and the leader is."
            ),
            "digest_time": _("In the hub's time zone."),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not self.is_bound:
            self.initial["digest_days"] = self.instance.day_list
        # A year at most; 0 stops a stage's clock; escalations at least an hour apart.
        for name in (*LIMIT_FIELDS, "escalation_hours"):
            field = self.fields[name]
            field.widget.attrs.update({"min": 0, "max": MAX_HOURS})
            field.validators.append(MaxValueValidator(MAX_HOURS))
        # At least an hour: this bound replaces the model's 0, so that -1 gets one message, not two.
        escalation = self.fields["escalation_hours"]
        escalation.validators = [v for v in escalation.validators if not isinstance(v, MinValueValidator)]
        escalation.validators.append(MinValueValidator(1))
        escalation.widget.attrs["min"] = 1

    def clean_digest_days(self) -> str:
        return ",".join(str(d) for d in sorted(set(self.cleaned_data["digest_days"])))

    def setting_values(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DigestNoteForm(forms.Form):
    """The confirmation page of a digest link: an optional note, kept with the decision."""

    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
