"""The import pages: upload a vCard or CSV file, map the CSV's columns, see what the import did.
Thin: read the file, call the service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cercle.accounts.permissions import NETWORK_ALL_ROLES, role_required
from cercle.network.models import ContactSource
from cercle.people.importing import uploads
from cercle.people.importing.csvfile import guess_mapping, people_from_rows, read_csv
from cercle.people.importing.forms import MappingForm, UploadForm
from cercle.people.importing.records import ImportFileError
from cercle.people.importing.services import people_import
from cercle.people.importing.textfile import decode
from cercle.people.importing.vcard import looks_like_vcard, read_vcards

UPLOAD = "people/importing/upload.html"
MAPPING = "people/importing/mapping.html"
RESULT = "people/importing/result.html"
_VCARD_NAMES = (".vcf", ".vcard")


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload: a vCard file is imported at once; a CSV file goes on to its column mapping."""
    if request.method != "POST":
        return render(request, UPLOAD, {"form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, UPLOAD, {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    name = upload.name or ""
    data = upload.read()
    try:
        decoded = decode(data)
        if looks_like_vcard(decoded.text):
            people, unreadable = read_vcards(decoded.text)
            summary = people_import(
                actor=request.user,  # type: ignore[arg-type]
                people=people,
                source=ContactSource.VCARD,
                file_skipped=unreadable,
            )
            return render(request, RESULT, {"summary": summary, "file_name": name})
        if name.lower().endswith(_VCARD_NAMES):
            raise ImportFileError(_("No vCard found in this file (no BEGIN:VCARD line)."))
        read_csv(decoded.text)  # an unusable file is refused here, not after the mapping
    except ImportFileError as exc:
        form.add_error("file", str(exc))
        return render(request, UPLOAD, {"form": form}, status=400)
    token = uploads.upload_keep(request.session, data=data, name=name)
    return redirect("people:import_csv_map", token=token)


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def import_csv_map(request: HttpRequest, token: str) -> HttpResponse:
    """Say which column holds what (guessed from the headers), then import."""
    data = uploads.upload_read(request.session, token)
    if data is None:
        messages.error(
            request,
            _(
                "This file is no longer here (already imported, or uploaded more than a day ago): upload it again."
            ),
        )
        return redirect("people:import")
    name = uploads.upload_name(request.session, token)
    try:
        decoded = decode(data)
        table = read_csv(decoded.text)
    except ImportFileError as exc:  # read once already at upload: only if the reading rules changed
        uploads.upload_discard(request.session, token)
        messages.error(request, str(exc))
        return redirect("people:import")
    form = MappingForm(request.POST or None, table=table, initial_mapping=guess_mapping(table))
    if request.method == "POST" and form.is_valid():
        summary = people_import(
            actor=request.user,  # type: ignore[arg-type]
            people=people_from_rows(table, form.mapping()),
            source=ContactSource.CSV,
            file_skipped=table.skipped,
            file_notices=table.notices,
        )
        uploads.upload_discard(request.session, token)
        return render(request, RESULT, {"summary": summary, "file_name": name})
    context = {"form": form, "table": table, "file_name": name, "encoding": decoded.encoding_label}
    return render(request, MAPPING, context, status=400 if form.errors else 200)
