from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from cercle.people.importing.csvfile import TARGETS, CsvTable, mapping_problem

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # 10,000 people in CSV are about 2 MB; vCards with photos more


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File of contacts"),
        help_text=_(
            "A vCard file (.vcf, one or many cards, from a phone, Outlook, Apple or Google Contacts) "
            "or a spreadsheet saved as CSV (.csv)."
        ),
        error_messages={
            "required": _("Choose a file to import."),
            "empty": _("This file is empty."),
            "invalid": _("No file was received: choose the file again."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".vcf,.vcard,.csv,.txt,text/vcard,text/csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("This file is larger than %(mb)s MB: split it into smaller files.")
                % {"mb": number_format(MAX_UPLOAD_BYTES >> 20)}
            )
        return upload


class MappingForm(forms.Form):
    """One choice per column of the CSV file: which field of a person it fills."""

    def __init__(self, *args: object, table: CsvTable, initial_mapping: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.table = table
        for index, header in enumerate(table.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header,
                choices=TARGETS,
                initial=initial_mapping[index],
                required=True,
            )

    def mapping(self) -> list[str]:
        return [self.cleaned_data[f"col_{index}"] for index in range(len(self.table.headers))]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not self.errors:
            problem = mapping_problem(self.mapping())
            if problem:
                raise forms.ValidationError(problem)
        return cleaned

    def rows(self) -> list[tuple[forms.BoundField, list[str]]]:
        """Each column's choice with its first values, for the page."""
        return [(self[f"col_{index}"], samples) for index, _header, samples in self.table.preview()]
