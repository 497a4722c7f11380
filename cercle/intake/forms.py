from __future__ import annotations

from django import forms

from cercle.intake.models import IntakeSettings


class IntakeSettingsForm(forms.Form):
    """The settings page: the model's own labels and help texts, so that the page and the admin agree."""

    first_mail_receipt = forms.BooleanField(
        label=IntakeSettings._meta.get_field("first_mail_receipt").verbose_name,
        help_text=IntakeSettings._meta.get_field("first_mail_receipt").help_text,
        required=False,
    )
