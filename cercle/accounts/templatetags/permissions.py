"""`{% load permissions %}` then `{% if user|may:"triage" %}`: templates ask the helper the views use.

A button or a link is shown when, and only when, the view behind it lets the person in; no template
compares role strings (see `accounts/permissions.py`). An unknown capability raises, never reads false.
"""

from __future__ import annotations

from typing import Any

from django import template

from cercle.accounts import permissions

register = template.Library()


@register.filter
def may(user: Any, capability: str) -> bool:
    return permissions.may(user, capability)
