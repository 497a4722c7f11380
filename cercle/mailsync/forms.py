from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from cercle.mailsync.models import MailAccount


class MailAccountForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. Leave empty to keep the current one."),
    )

    class Meta:
        model = MailAccount
        fields = [
            "name",
            "host",
            "port",
            "security",
            "username",
            "password",
            "inbox_folder",
            "sent_folder",
            "after_import",
            "enabled",
            "listen",
        ]
        error_messages = {
            "name": {"unique": _("A mailbox already has this name: choose another one.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["password"].required = True
            self.fields["password"].help_text = _("Stored encrypted.")
        # One message for a port out of range, below as above (`clean_port`), not the model's "≥ 0" too.
        port = self.fields["port"]
        port.validators = [v for v in port.validators if not isinstance(v, MinValueValidator)]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        # "Boîte de Léa" and "BOÎTE DE LÉA" are the same mailbox to a person (compared in Python: SQLite
        # folds the case of ASCII letters only; a hub has a handful of mailboxes).
        others = MailAccount.objects.exclude(pk=self.instance.pk).values_list("name", flat=True)
        if any(other.casefold() == name.casefold() for other in others):
            raise forms.ValidationError(_("A mailbox already has this name: choose another one."))
        return name

    def clean_host(self) -> str:
        host = self.cleaned_data["host"].strip()
        if any(c in host for c in " /:@\r\n"):
            raise forms.ValidationError(_("Give the server's name only, e.g. imap.example.org."))
        return host

    def clean_port(self) -> int:
        port = self.cleaned_data["port"]
        if not 1 <= port <= 65535:
            raise forms.ValidationError(_("A port is a number between 1 and 65535."))
        return int(port)
