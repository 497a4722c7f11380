"""Outcome values are amounts in the hub's currency, written the way each language writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from cercle.core.templatetags.cercle import money


@pytest.mark.parametrize(
    ("language", "currency", "value", "shown"),
    [
        ("fr", "EUR", Decimal("4500"), "4\u00a0500\u00a0€"),
        ("fr", "EUR", Decimal("1234.5"), "1\u00a0234,50\u00a0€"),
        ("en", "EUR", Decimal("4500"), "€4,500"),
        ("en", "GBP", Decimal("1234.50"), "£1,234.50"),
        ("en", "CHF", 900, "CHF\u00a0900"),
    ],
)
def test_amounts_in_each_language(settings, language, currency, value, shown):
    settings.CERCLE = {**settings.CERCLE, "CURRENCY": currency}
    with translation.override(language):
        assert money(value) == shown


def test_no_value_is_nothing():
    assert money(None) == ""


@pytest.mark.parametrize(("language", "shown"), [("fr", "95\u00a0%"), ("en", "95%")])
def test_shares_in_each_language(language, shown):
    from cercle.core.templatetags.cercle import percent

    with translation.override(language):
        assert percent(0.951) == shown
        assert percent(None) == ""


def test_durations_never_break_between_a_number_and_its_unit():
    from datetime import timedelta

    from cercle.core.templatetags.cercle import duration

    with translation.override("fr"):
        assert duration(timedelta(days=2, hours=3)) == "2\u00a0j\u00a03\u00a0h"
