"""The LinkedIn import page: upload the export, see what it changed. Thin: parse, call, render."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cercle.accounts.permissions import TRIAGE_ROLES, role_required
from cercle.intake.linkedin.export import ExportError, read_export
from cercle.intake.linkedin.forms import LinkedInImportForm
from cercle.intake.linkedin.services import linkedin_export_import

TEMPLATE = "intake/linkedin_import.html"


@role_required(*TRIAGE_ROLES)
def linkedin_import(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": LinkedInImportForm()})
    form = LinkedInImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    upload = form.cleaned_data["export"]
    try:
        export = read_export(upload, name=upload.name)
    except ExportError as exc:
        form.add_error("export", str(exc))
        return render(request, TEMPLATE, {"form": form}, status=400)
    summary = linkedin_export_import(
        export=export,
        since=timezone.now() - timedelta(days=form.cleaned_data["since_days"]),
        actor=request.user,  # type: ignore[arg-type]
    )
    return render(request, TEMPLATE, {"form": LinkedInImportForm(), "summary": summary})
