from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cercle.accounts.permissions import TRIAGE_ROLES, role_required
from cercle.core import ratelimit
from cercle.core.text import guess_language
from cercle.intake.form.forms import ManualRequestForm, PublicRequestForm
from cercle.intake.services import FormSubmission, request_enter_manually, request_submit_form


def ask(request: HttpRequest) -> HttpResponse:
    """The public request form: the only page an outsider can see."""
    if request.method == "POST":
        form = PublicRequestForm(request.POST)
        limit: int = settings.CERCLE["FORM_RATE_LIMIT"]
        # Requests sent count against the limit; a form sent back for a typo does not (people sharing an
        # office connection make typos too). Wrong forms have their own, wider limit against hammering.
        valid = form.is_valid()
        if not (
            ratelimit.allowed(request, scope="form", limit=limit)
            and (valid or ratelimit.hit(request, scope="form-invalid", limit=limit * 10))
        ):
            form.add_error(None, _("Too many requests from your connection. Please try again in an hour."))
            return render(request, "intake/ask.html", {"form": form}, status=429)
        if valid:
            ratelimit.hit(request, scope="form", limit=limit)
            if form.cleaned_data["website"]:
                # A bot filled the honeypot: pretend success, store nothing.
                return redirect("intake:thanks")
            page = (get_language() or "fr")[:2]
            # The language the request is written in (an English page may be used to write in French);
            # the page's when the words do not tell.
            language = guess_language(
                form.cleaned_data["need"], default=page if page in ("fr", "en") else "fr"
            )
            request_submit_form(
                submission=FormSubmission(
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    organisation=form.cleaned_data["organisation"],
                    need=form.cleaned_data["need"],
                    subject=form.cleaned_data["subject"],
                    deadline=form.cleaned_data["deadline"],
                    language=language,
                )
            )
            return redirect("intake:thanks")
        return render(request, "intake/ask.html", {"form": form}, status=400)
    return render(request, "intake/ask.html", {"form": PublicRequestForm()})


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/thanks.html", {"hours": settings.CERCLE["ANSWER_TARGET_HOURS"]})


@role_required(*TRIAGE_ROLES)
def manual(request: HttpRequest) -> HttpResponse:
    """Enter a request by hand (a phone call, a meeting): the second's own form."""
    form = ManualRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = request_enter_manually(
            actor=request.user,  # type: ignore[arg-type]
            submission=FormSubmission(
                name=data["name"],
                email=data["email"],
                organisation=data["organisation"],
                need=data["need"],
                deadline=data["deadline"],
                language=data["language"],
                subject=data["subject"],
            ),
            origin=data["origin"],
            keep=data["keep"],
        )
        messages.success(request, _("Request entered: “%(s)s”.") % {"s": created.subject})
        return redirect("circulation:detail", pk=created.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/manual.html", {"form": form}, status=status)
