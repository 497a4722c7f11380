from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class MeetingForm(forms.Form):
    when = forms.DateTimeField(
        label=_("First meeting"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "aria-label": _("First meeting")}, format="%Y-%m-%dT%H:%M"
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class UpdateForm(forms.Form):
    text = forms.CharField(
        label=_("Status update"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "aria-label": _("Status update")}),
    )


class StepForm(forms.Form):
    label = forms.CharField(label=_("New step"), max_length=200)


class TeamForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Add a team member"), coerce=int)

    def __init__(self, *args: object, member_choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["member"].choices = member_choices  # type: ignore[attr-defined]
        self.fields["member"].widget.attrs["aria-label"] = _("Add a team member")
