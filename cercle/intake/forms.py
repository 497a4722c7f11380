from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from cercle.intake.models import IntakeSettings


class IntakeSettingsForm(forms.Form):
    """The settings page: the model's own labels and help texts, so that the page and the admin agree."""

    first_mail_receipt = forms.BooleanField(
        label=IntakeSettings._meta.get_field("first_mail_receipt").verbose_name,
        help_text=IntakeSettings._meta.get_field("first_mail_receipt").help_text,
        required=False,
    )
    hub_aliases = forms.CharField(
        label=IntakeSettings._meta.get_field("hub_aliases").verbose_name,
        help_text=IntakeSettings._meta.get_field("hub_aliases").help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )

    def clean_hub_aliases(self) -> list[str]:
        addresses = []
        for number, line in enumerate(self.cleaned_data["hub_aliases"].splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            try:
                validate_email(line)
            except ValidationError:
                raise ValidationError(
                    _("Line %(number)d is not an e-mail address: %(line)s") % {"number": number, "line": line}
                ) from None
            addresses.append(line.lower())
        return list(dict.fromkeys(addresses))
