"""Mailbox pages for the second (and the leader, and admins): accounts, connection test, sync, failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cercle.accounts.permissions import MAILBOX_ROLES, role_required
from cercle.mailsync import selectors, services
from cercle.mailsync.forms import MailAccountForm
from cercle.mailsync.imap import ConnectionReport
from cercle.mailsync.models import ConnectionTest

# How long after its timeout a test may still wait for a worker before the page says none is running.
WORKER_GRACE_SECONDS = 30


@role_required(*MAILBOX_ROLES)
def account_list(request: HttpRequest) -> HttpResponse:
    rows = [(a, selectors.listening(a)) for a in selectors.accounts_with_stats()]
    return render(request, "mailsync/list.html", {"rows": rows})


@role_required(*MAILBOX_ROLES)
def account_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    account = selectors.account_get_for_user(user=request.user, account_id=pk) if pk else None  # type: ignore[arg-type]
    form = MailAccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data}
        saved = services.account_save(actor=request.user, account=account, data=data)  # type: ignore[arg-type]
        messages.success(request, _("Saved. Test the connection before the first synchronisation."))
        return redirect(
            "mailsync:list" if account else "mailsync:edit", **({} if account else {"pk": saved.pk})
        )
    test = None
    if request.GET.get("test", "").isdigit():  # after a test without htmx: its result, or "testing…"
        test = selectors.connection_test_get_for_user(user=request.user, test_id=int(request.GET["test"]))  # type: ignore[arg-type]
    return render(
        request,
        "mailsync/edit.html",
        {"form": form, "account": account, **(_test_context(test) if test else {})},
    )


@require_POST
@role_required(*MAILBOX_ROLES)
def account_delete(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for_user(user=request.user, account_id=pk)  # type: ignore[arg-type]
    services.account_delete(actor=request.user, account=account)  # type: ignore[arg-type]
    messages.success(request, _("Account removed. The messages already imported stay."))
    return redirect("mailsync:list")


@require_POST
@role_required(*MAILBOX_ROLES)
def account_test(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Test the settings as they are in the form (saved or not): what you see is what is tested.

    The worker tests them (a silent server would hold this thread): the answer is "testing…", which
    polls `account_test_result` until the worker has stored the result."""
    account = selectors.account_get_for_user(user=request.user, account_id=pk) if pk else None  # type: ignore[arg-type]
    if "host" in request.POST:
        form = MailAccountForm(request.POST, instance=account)
        if not form.is_valid():
            report = ConnectionReport(False, _("Correct the form first: %(errors)s") % {
                "errors": "; ".join(
                    f"{form.fields[name].label if name in form.fields else ''} — {' '.join(errors)}".strip(" —")
                    for name, errors in form.errors.items()
                )
            })  # fmt: skip
            if request.htmx:  # type: ignore[attr-defined]
                return render(request, "mailsync/partials/_test_result.html", {"report": report})
            messages.error(request, report.message)
            return redirect("mailsync:edit", pk=pk) if pk else redirect("mailsync:new")
        data = form.cleaned_data
    elif account is not None:
        data = None
    else:
        return redirect("mailsync:new")
    test = services.connection_test_start(actor=request.user, account=account, data=data)  # type: ignore[arg-type]
    if request.htmx:  # type: ignore[attr-defined]
        return _test_result(request, test)
    # Without htmx the edit page shows the test (and polls, where it can) under the form.
    url = reverse("mailsync:edit", args=[pk]) if pk else reverse("mailsync:new")
    return redirect(f"{url}?test={test.pk}")


@role_required(*MAILBOX_ROLES)
def account_test_result(request: HttpRequest, test_id: int) -> HttpResponse:
    test = selectors.connection_test_get_for_user(user=request.user, test_id=test_id)  # type: ignore[arg-type]
    return _test_result(request, test)


def _test_result(request: HttpRequest, test: ConnectionTest) -> HttpResponse:
    return render(request, "mailsync/partials/_test_result.html", _test_context(test))


def _test_context(test: ConnectionTest) -> dict[str, Any]:
    timeout = settings.CERCLE["MAIL_TEST_TIMEOUT_SECONDS"]
    if not test.pending:
        return {"report": ConnectionReport(test.ok, test.message_text)}
    # Still waiting long after the worker would have given up: no worker is running.
    if timezone.now() - test.created_at > timedelta(seconds=timeout + WORKER_GRACE_SECONDS):
        return {
            "report": ConnectionReport(
                False,
                _(
                    "The test did not run: the background worker does not seem to be running "
                    "(“cercle worker”, or “cercle run”, which starts it)."
                ),
            )
        }
    return {"test": test, "timeout": timeout}


@require_POST
@role_required(*MAILBOX_ROLES)
def account_sync(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for_user(user=request.user, account_id=pk)  # type: ignore[arg-type]
    services.account_sync_now(actor=request.user, account=account)  # type: ignore[arg-type]
    messages.success(request, _("Synchronisation of “%(name)s” started.") % {"name": account.name})
    return redirect("mailsync:list")


@role_required(*MAILBOX_ROLES)
def account_progress(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for_user(user=request.user, account_id=pk)  # type: ignore[arg-type]
    return render(request, "mailsync/partials/_progress.html", {"a": account})


@role_required(*MAILBOX_ROLES)
def account_failures(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for_user(user=request.user, account_id=pk)  # type: ignore[arg-type]
    return render(
        request,
        "mailsync/failures.html",
        {"account": account, "failures": selectors.failures(account=account)},
    )


@require_POST
@role_required(*MAILBOX_ROLES)
def failure_retry(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.ledger_entry_get_for_user(user=request.user, entry_id=entry_id)  # type: ignore[arg-type]
    try:
        entry = services.ledger_entry_retry(actor=request.user, entry=entry)  # type: ignore[arg-type]
    except services.MailConnectionError as exc:
        messages.error(request, exc.message)
    else:
        if entry.status == "failed":
            messages.error(request, _("Still failing: %(error)s") % {"error": entry.error_text})
        else:
            messages.success(request, _("Imported."))
    return redirect("mailsync:failures", pk=entry.account_id)


@require_POST
@role_required(*MAILBOX_ROLES)
def failures_retry(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for_user(user=request.user, account_id=pk)  # type: ignore[arg-type]
    try:
        fixed, failing = services.failures_retry(actor=request.user, account=account)  # type: ignore[arg-type]
    except services.MailConnectionError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(
            request,
            _("%(fixed)s imported, %(failing)s still failing.") % {"fixed": fixed, "failing": failing},
        )
    return redirect("mailsync:failures", pk=pk)
