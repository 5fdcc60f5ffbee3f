"""Chart specs reduced to plain, bounded JSON before they reach a page.

A spec comes from the notebook, so it is hostile: NaN and Infinity (not JSON), keys that
pollute prototypes in JavaScript (``__proto__``, ``constructor``, ``prototype``), nesting that
exhausts a stack, and data big enough to stall a browser. ``clean`` returns a copy with
non-finite numbers as ``null``, those keys dropped, and raises ``SpecRefused`` (with a reason
for the reader) past the depth or size limits.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

MAX_DEPTH = 64
MAX_SPEC_CHARS = 8 * 1024 * 1024  # one chart's JSON
MAX_TOTAL_CHARS = 32 * 1024 * 1024  # all charts of one notebook
FORBIDDEN_KEYS = frozenset({"__proto__", "constructor", "prototype"})


class SpecRefused(Exception):
    """A spec that is not drawn; ``str(error)`` is the note shown to the reader."""


class _Counter:
    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, amount: int) -> None:
        self.left -= amount
        if self.left < 0:
            raise SpecRefused(
                f"Its data is larger than {MAX_SPEC_CHARS // (1024 * 1024)} MB and is not"
                " drawn in the page."
            )


def _clean(value: Any, depth: int, counter: _Counter) -> Any:
    if depth > MAX_DEPTH:
        raise SpecRefused("It is nested too deeply to draw.")
    if value is None or isinstance(value, bool):
        counter.take(5)
        return value
    if isinstance(value, int):
        counter.take(8)
        return value
    if isinstance(value, float):
        counter.take(12)
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        counter.take(len(value) + 2)
        return value
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            key = str(key)
            if key in FORBIDDEN_KEYS:
                continue
            counter.take(len(key) + 4)
            result[key] = _clean(item, depth + 1, counter)
        return result
    if isinstance(value, list | tuple):
        counter.take(2)
        return [_clean(item, depth + 1, counter) for item in value]
    raise SpecRefused("It holds a value that is not JSON.")


def clean(value: Any, *, limit: int = MAX_SPEC_CHARS) -> Any:
    """A bounded, JSON-safe copy of ``value`` (a spec parsed from the notebook)."""
    try:
        return _clean(value, 0, _Counter(limit))
    except RecursionError as error:
        raise SpecRefused("It is nested too deeply to draw.") from error


def parse_bundle_value(value: Any) -> Mapping[str, Any]:
    """A JSON bundle value: nbformat keeps it parsed, but some writers store a JSON string."""
    if isinstance(value, str):
        if len(value) > MAX_SPEC_CHARS:
            raise SpecRefused("Its data is too large to draw in the page.")
        try:
            value = json.loads(value)
        except (ValueError, RecursionError) as error:
            raise SpecRefused("Its JSON is malformed.") from error
    if not isinstance(value, Mapping):
        raise SpecRefused("It is not a chart description (a JSON object).")
    return value


def script_json(value: Any) -> str:
    """JSON safe to place inside ``<script type="application/json">`` (never executed)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
