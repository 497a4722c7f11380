from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _


class PublicRequestForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        error_messages={"invalid": _("Enter a valid e-mail address.")},
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    subject = forms.CharField(
        label=_("Subject (optional)"),
        max_length=120,
        required=False,
        help_text=_(
            "In a few words, what it is about. Without one, the first sentence of your request is used."
        ),
    )
    need = forms.CharField(
        label=_("What do you need?"),
        min_length=20,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A few sentences: the context, what you expect, and by when."),
    )
    deadline = forms.DateField(
        label=_("Deadline (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Honeypot: hidden from people by CSS, filled in by bots.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def clean_deadline(self) -> date | None:
        deadline: date | None = self.cleaned_data.get("deadline")
        if deadline and deadline < date.today():
            raise forms.ValidationError(_("The deadline is in the past."))
        return deadline

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Tell us your name."))
        return name


class ManualRequestForm(PublicRequestForm):
    """What the second types in after a phone call or a meeting: the public form's fields, the
    requester's language, where it came from, and whether it goes to the leader at once."""

    language = forms.ChoiceField(
        label=_("The requester's language"), choices=[("fr", _("French")), ("en", _("English"))], initial="fr"
    )
    origin = forms.CharField(
        label=_("Where it came from (optional)"),
        max_length=200,
        required=False,
        help_text=_("A phone call, a meeting, a message on another channel…"),
    )
    keep = forms.BooleanField(label=_("Send it to the leader at once"), required=False, initial=True)

    field_order = [
        "name",
        "email",
        "organisation",
        "language",
        "subject",
        "need",
        "deadline",
        "origin",
        "keep",
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["website"]  # the honeypot is for the public page
        self.fields["need"].label = _("What they need")
        self.fields["need"].help_text = _(
            "In their words as far as possible: the context, what they expect, by when."
        )
