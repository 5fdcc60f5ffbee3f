"""Which two versions a comparison is about, as asked in a URL or a query; its address."""

from __future__ import annotations

import re

from django.urls import reverse

SPEC = re.compile(r"(\d{1,9})\.\.\.(\d{1,9})")
SPEC_HELP = "Compare two version numbers, written like 3...4."


class BadComparison(Exception):
    """A comparison that cannot be asked for; the message says why (shown with status 400)."""


def compare_url(notebook_pk: int, old: int, new: int) -> str:
    return reverse("sharing:notebook-compare", args=[notebook_pk, f"{old}...{new}"])


def parse_spec(spec: str) -> tuple[int, int]:
    """``"3...4"`` -> (3, 4); anything else is a ``BadComparison``."""
    match = SPEC.fullmatch(spec)
    if match is None:
        raise BadComparison(f"“{spec[:40]}” is not a pair of versions. {SPEC_HELP}")
    old, new = int(match[1]), int(match[2])
    check_pair(old, new)
    return old, new


def check_pair(old: int, new: int) -> None:
    if old < 1 or new < 1:
        raise BadComparison("Version numbers start at 1.")
    if old == new:
        raise BadComparison(f"Both sides are version {old}: choose two different versions.")
