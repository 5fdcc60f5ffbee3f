"""Collecting a notebook's interactive outputs while it renders.

``render_notebook`` opens a ``collecting`` block; each output bundle that can be drawn
interactively asks ``chart_output`` for its markup: the static rendering wrapped in
``<div class="ns-chart" data-chart="N">`` (or with a note when the spec is refused). After the
final allowlist pass the renderer appends ``data_block()``, one hidden
``<div id="ns-chart-data" data-charts="...">`` whose attribute holds the checked specs as
escaped JSON (inert data: the rendering still holds no script element), which the page hands
to the sandboxed frames.
Outside a ``collecting`` block (diff pages) outputs stay static.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sharing.rendering.charts import kinds
from sharing.rendering.charts.clean import (
    MAX_SPEC_CHARS,
    MAX_TOTAL_CHARS,
    SpecRefused,
    clean,
    script_json,
)

DATA_ELEMENT_ID = "ns-chart-data"
DATA_OPEN = f'<div hidden id="{DATA_ELEMENT_ID}" data-charts=\''
DATA_CLOSE = "'></div>"


class Collector:
    def __init__(self, metadata: Any) -> None:
        self.models = kinds.widget_models(metadata)
        self.charts: list[dict[str, Any]] = []
        self.used_models: dict[str, Any] = {}
        self.chars = 0

    def entry(self, mime: str, value: Any) -> dict[str, Any]:
        if mime == kinds.PLOTLY_MIME:
            return kinds.plotly_entry(value)
        if mime == kinds.WIDGET_VIEW_MIME:
            entry = kinds.widget_entry(value, self.models)
            for model_id in entry["models"]:
                if model_id not in self.used_models:
                    self.used_models[model_id] = clean(self.models[model_id])
            return entry
        return kinds.vega_entry(mime, value)

    def add(self, mime: str, value: Any) -> int:
        entry = self.entry(mime, value)
        size = len(script_json(entry))
        if size > MAX_SPEC_CHARS or self.chars + size > MAX_TOTAL_CHARS:
            raise SpecRefused("Its data is too large to draw in the page.")
        self.chars += size
        self.charts.append(entry)
        return len(self.charts) - 1

    def data_block(self) -> str:
        if not self.charts:
            return ""
        payload = {"charts": self.charts, "widgets": self.used_models}
        return f"{DATA_OPEN}{_attribute(script_json(payload))}{DATA_CLOSE}\n"


_collector: ContextVar[Collector | None] = ContextVar("chart_collector", default=None)


@contextmanager
def collecting(metadata: Any) -> Iterator[Collector]:
    collector = Collector(metadata)
    token = _collector.set(collector)
    try:
        yield collector
    finally:
        _collector.reset(token)


def _attribute(text: str) -> str:
    """``script_json`` output (no ``<``, ``>`` or ``&`` left) as a single-quoted attribute."""
    return text.replace("'", "&#39;")


def _note(reason: str) -> str:
    return f'<p class="ns-chart-note">Not drawn interactively: {html.escape(reason)}</p>'


def chart_output(data: Mapping[str, Any], mime: str, static: str) -> str:
    """The markup of a bundle that holds an interactive output: its static rendering, marked
    for the page's chart script, or with a note when the spec is refused."""
    collector = _collector.get()
    if collector is None:
        return static
    try:
        index = collector.add(mime, data[mime])
    except SpecRefused as refused:
        return f'<div class="ns-chart ns-chart-refused">{static}{_note(str(refused))}</div>'
    return f'<div class="ns-chart" data-chart="{index}" data-mime-type="{mime}">{static}</div>'


def split_data(rendered: str) -> tuple[str, str]:
    """A stored rendering as (notebook HTML, chart data element or "")."""
    start = rendered.rfind(DATA_OPEN)
    if start == -1 or not rendered.rstrip().endswith(DATA_CLOSE):
        return rendered, ""
    return rendered[:start], rendered[start:]
