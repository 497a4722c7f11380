"""The debrief's pages: the figures of a month or a quarter beside the previous one, charts over the last
periods, a CSV export and a printable page. The leader and the second only (`network_all`)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cercle.accounts.permissions import NETWORK_ALL_ROLES, role_required
from cercle.core.templatetags.cercle import money
from cercle.people.debrief.charts import bar_chart
from cercle.people.debrief.selectors import (
    CHARTED,
    FIGURES,
    MONTH,
    QUARTER,
    REACTIVATED_AFTER_DAYS,
    Figures,
    Period,
    current_period,
    debrief_history,
    first_period,
    period_parse,
)


def _period(request: HttpRequest) -> Period:
    return period_parse(request.GET.get("period", MONTH), request.GET.get("at"))


def period_label(period: Period) -> str:
    """The period as a reader names it: "mars 2026" or "March 2026", "T1 2026" or "Q1 2026"."""
    if period.kind == MONTH:
        return date_format(period.first_day, "YEAR_MONTH_FORMAT")
    return _("Q%(quarter)s %(year)s") % {"quarter": period.quarter, "year": period.year}


def _short_label(period: Period) -> str:
    if period.kind == MONTH:
        return date_format(period.first_day, "N")
    return _("Q%(quarter)s") % {"quarter": period.quarter}


def _column_label(period: Period) -> str:
    """A column of the history table: "juil. 2025", "T1 2026" (the abbreviations of the press: never
    "Jui" for June and July alike)."""
    if period.kind == MONTH:
        return date_format(period.first_day, "N Y")
    return period_label(period)


def _text(key: str, value: int | Decimal) -> str:
    if key == "won_value":
        return money(value)
    return number_format(value, use_l10n=True, force_grouping=True)


def _context(period: Period) -> dict[str, Any]:
    history = debrief_history(period)
    chosen, previous = history[-1], history[-2]
    now, before = chosen.values(), previous.values()
    rows = [
        {
            "key": key,
            "label": label,
            "now": _text(key, now[key]),
            "before": _text(key, before[key]),
            "change": (now[key] > before[key]) - (now[key] < before[key]),
        }
        for key, label in FIGURES
    ]
    labels = dict(FIGURES)
    charts = [
        bar_chart(
            key,
            str(labels[key]),
            [(_short_label(f.period), f.values()[key], _text(key, f.values()[key])) for f in history],
        )
        for key in CHARTED
    ]
    today = current_period(period.kind)
    first = first_period(period.kind) or today
    return {
        "here": "debrief",
        "period": period,
        "period_name": period_label(period),
        "previous_name": period_label(previous.period),
        "rows": rows,
        "charts": charts,
        "history": [(_column_label(f.period), f) for f in history],
        "table": _table(history),
        "kind": period.kind,
        "kinds": [(MONTH, _("Month")), (QUARTER, _("Quarter"))],
        "prev_at": period.shifted(-1).at_param if period.shifted(-1).start >= first.start else "",
        "next_at": period.shifted(1).at_param if period.shifted(1).start <= today.start else "",
        "reactivated_days": REACTIVATED_AFTER_DAYS,
        "generated_at": timezone.now(),
    }


def _table(history: list[Figures]) -> list[dict[str, Any]]:
    """The history as text, one line per figure and one column per period (the charts' fallback)."""
    return [
        {"label": label, "cells": [_text(key, f.values()[key]) for f in history]} for key, label in FIGURES
    ]


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def debrief(request: HttpRequest) -> HttpResponse:
    return render(request, "people/debrief/debrief.html", _context(_period(request)))


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def debrief_print(request: HttpRequest) -> HttpResponse:
    return render(request, "people/debrief/print.html", _context(_period(request)))


@never_cache
@role_required(*NETWORK_ALL_ROLES)
def debrief_csv(request: HttpRequest) -> HttpResponse:
    """One row per period (the chosen one and those before it), stable English column keys."""
    period = _period(request)
    out = io.StringIO()
    writer = csv.writer(out)
    keys = [key for key, _label in FIGURES]
    writer.writerow(["period", "start", "end", *keys])
    for figures in debrief_history(period):
        values = figures.values()
        writer.writerow(
            [
                figures.period.code,
                figures.period.first_day.isoformat(),
                figures.period.last_day.isoformat(),
                *(f"{values[key]:.2f}" if key == "won_value" else values[key] for key in keys),
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="debrief-{period.kind}-{period.code}.csv"'
    return response
