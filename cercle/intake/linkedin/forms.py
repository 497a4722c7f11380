from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from cercle.intake.linkedin.services import DEFAULT_SINCE_DAYS

MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # a full LinkedIn export is a few MB; its CSVs far less


class LinkedInImportForm(forms.Form):
    export = forms.FileField(
        label=_("LinkedIn export (ZIP)"),
        help_text=_(
            "On LinkedIn: Settings › Data privacy › Get a copy of your data. Upload the ZIP as it came."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    since_days = forms.IntegerField(
        label=_("Create requests for messages of the last … days"),
        min_value=0,
        max_value=3650,
        initial=DEFAULT_SINCE_DAYS,
        help_text=_(
            "Older messages only complete contacts and their history, so the triage queue is not "
            "flooded with years of conversations."
        ),
    )

    def clean_export(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["export"]
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("This file is larger than %(mb)s MB: it is not a LinkedIn export.")
                % {"mb": MAX_UPLOAD_BYTES >> 20}
            )
        return upload
