from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cercle.core.text import elide_before_names

register = template.Library()


@register.filter(is_safe=True)
def elide(text: str, name: str) -> str:
    """{% blocktranslate … asvar t %}{{ t|elide:name }}: "Profil d’Inès", not "de Inès" (core/text.py).
    The text of `asvar` is safe, its name already escaped: it is looked for escaped, and stays safe."""
    if not (get_language() or "").startswith("fr"):
        return text
    if isinstance(text, SafeData):
        return mark_safe(elide_before_names(str(text), str(conditional_escape(name))))
    return elide_before_names(str(text), str(name))


@register.filter
def since(value: datetime | None) -> str:
    """How long ago, as Django's `timesince` says it, but never "0 minutes": "less than a minute"."""
    if value is None:
        return ""
    if timezone.now() - value < timedelta(minutes=1):
        return _("less than a minute")
    return timesince(value)


@register.filter
def duration(value: timedelta | None) -> str:
    """A human duration with the two most significant units: '3 d 4 h', '5 h 12 min'."""
    if value is None:
        return ""
    seconds = max(int(value.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    elif hours:
        text = _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    else:
        text = _("%(m)s min") % {"m": minutes}
    return text.replace(" ", "\u00a0")  # "3 d 4 h" never breaks between a number and its unit


@register.filter
def percent(value: float | None) -> str:
    """A share (0.95) written as the language writes it: "95 %" in French, "95%" in English."""
    if value is None or value == "":
        return ""
    number = round(float(value) * 100)
    return f"{number}\u00a0%" if (get_language() or "fr").startswith("fr") else f"{number}%"


@register.filter
def headline(profile: object, language: str) -> str:
    getter = getattr(profile, "headline", None)
    return getter(language) if callable(getter) else ""


@register.filter
def money(value: Decimal | int | float | None) -> str:
    """An amount in the hub's currency (`CERCLE_CURRENCY`, default EUR), written as the language writes it:
    "4 500 €" in French, "€4,500" in English; cents only when there are some."""
    if value in (None, ""):
        return ""
    amount = Decimal(str(value))
    places = 0 if amount == amount.to_integral_value() else 2
    number = number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)
    code = str(settings.CERCLE.get("CURRENCY", "EUR")).upper()
    symbol = _SYMBOLS.get(code, code)
    if (get_language() or "fr").startswith("fr"):
        return f"{number}\u00a0{symbol}"
    return f"{symbol}{number}" if len(symbol) == 1 else f"{symbol}\u00a0{number}"


_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "CAD": "CA$"}
