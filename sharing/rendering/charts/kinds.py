"""Which output bundles can be drawn interactively, and the checked spec each one becomes.

Each kind turns a bundle value into an entry for the page (``{"kind": ..., "mime": ...,
...}``) or raises ``SpecRefused`` with the reason shown to the reader. Nothing a spec names is
ever fetched: Vega specs that load data or images from an address are refused here, and the
frame's loader and Content-Security-Policy refuse whatever is left (docs/charts.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from sharing.rendering.charts.clean import SpecRefused, clean, parse_bundle_value

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
_VEGALITE = re.compile(r"application/vnd\.vegalite\.v([3-6])\+json")
_VEGA = re.compile(r"application/vnd\.vega\.v([4-6])\+json")
# The widget modules our bundle of @jupyter-widgets/html-manager draws itself.
WIDGET_MODULES = frozenset(
    {"@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output"}
)
MODEL_REFERENCE = re.compile(r"IPY_MODEL_([0-9A-Za-z_-]{1,100})")
MAX_WIDGET_MODELS = 2000


def interactive_mime(data: Mapping[str, Any]) -> str | None:
    """The bundle's MIME type we can draw interactively, if any (Plotly first)."""
    if PLOTLY_MIME in data:
        return PLOTLY_MIME
    for mime in data:
        if _VEGALITE.fullmatch(mime) or _VEGA.fullmatch(mime):
            return mime
    if WIDGET_VIEW_MIME in data:
        return WIDGET_VIEW_MIME
    return None


def _walk(value: Any) -> Iterator[tuple[str, Any]]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, child in item.items():
                yield str(key), child
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)


def plotly_entry(value: Any) -> dict[str, Any]:
    spec = clean(parse_bundle_value(value))
    data = spec.get("data", [])
    if not isinstance(data, list):
        raise SpecRefused("Its data is not a list of traces.")
    layout = spec.get("layout")
    layout = layout if isinstance(layout, dict) else {}
    notes = []
    images = layout.get("images")
    if isinstance(images, list):
        kept = [
            image
            for image in images
            if isinstance(image, dict) and str(image.get("source", "")).startswith("data:")
        ]
        if len(kept) != len(images):
            notes.append("Images from other addresses in this chart are not loaded.")
        layout["images"] = kept
    return {
        "kind": "plotly",
        "mime": PLOTLY_MIME,
        "data": data,
        "layout": layout,
        "notes": notes,
    }


def vega_entry(mime: str, value: Any) -> dict[str, Any]:
    spec = clean(parse_bundle_value(value))
    for key, child in _walk(spec):
        if key == "url" and isinstance(child, str | Mapping):
            raise SpecRefused("It loads data or images from an address, which is never fetched.")
    kind = "vega-lite" if _VEGALITE.fullmatch(mime) else "vega"
    return {"kind": kind, "mime": mime, "spec": spec, "notes": []}


def widget_models(metadata: Any) -> dict[str, Any]:
    """The saved widget models of a notebook (``metadata.widgets``), or {} when there are none
    or they are malformed."""
    if not isinstance(metadata, Mapping):
        return {}
    widgets = metadata.get("widgets")
    if not isinstance(widgets, Mapping):
        return {}
    saved = widgets.get(WIDGET_STATE_MIME)
    if not isinstance(saved, Mapping):
        return {}
    state = saved.get("state")
    if not isinstance(state, Mapping):
        return {}
    return {str(key): model for key, model in list(state.items())[:MAX_WIDGET_MODELS]}


def _closure(models: Mapping[str, Any], root: str) -> list[str]:
    """The model and every model it references (``IPY_MODEL_<id>``), in a stable order."""
    seen: list[str] = []
    queue = [root]
    while queue:
        model_id = queue.pop(0)
        if model_id in seen:
            continue
        model = models.get(model_id)
        if not isinstance(model, Mapping):
            raise SpecRefused(
                "Its saved widget state is missing (save the notebook with widget state)."
            )
        seen.append(model_id)
        for _key, child in _walk(model.get("state")):
            if isinstance(child, str):
                queue.extend(MODEL_REFERENCE.findall(child))
        if len(seen) > MAX_WIDGET_MODELS:
            raise SpecRefused("It has too many widgets to draw.")
    return seen


def _check_module(model: Mapping[str, Any]) -> None:
    state = model.get("state") if isinstance(model.get("state"), Mapping) else {}
    for module in (
        model.get("model_module"),
        state.get("_model_module"),
        state.get("_view_module"),
    ):
        if module is not None and module not in WIDGET_MODULES:
            name = str(module)[:80]
            raise SpecRefused(
                f"It uses the widget module {name}, which is not loaded: only the standard"
                " Jupyter widgets are drawn."
            )


def widget_entry(value: Any, models: Mapping[str, Any]) -> dict[str, Any]:
    view = parse_bundle_value(value)
    model_id = view.get("model_id")
    if not isinstance(model_id, str) or not MODEL_REFERENCE.fullmatch(f"IPY_MODEL_{model_id}"):
        raise SpecRefused("It names no widget model.")
    ids = _closure(models, model_id)
    for key in ids:
        _check_module(models[key])
    return {
        "kind": "widget",
        "mime": WIDGET_VIEW_MIME,
        "model_id": model_id,
        "models": ids,
        "notes": [],
    }
