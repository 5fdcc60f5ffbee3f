"""Code-cell outputs as safe HTML: the best MIME type of each bundle, static fallbacks for
outputs that need JavaScript, placeholders for what cannot be shown."""

from __future__ import annotations

import base64
import html
import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from nbconvert.filters.ansi import ansi2html

from sharing.rendering.charts.collect import chart_output
from sharing.rendering.charts.kinds import interactive_mime
from sharing.rendering.markup import as_text, markdown_to_html, placeholder
from sharing.rendering.mathml import latex_text_to_html
from sharing.rendering.sanitize import image_data_uri, sanitize_html

logger = logging.getLogger(__name__)

# Output MIME types whose only renderer is JavaScript, by prefix.
JS_MIME_PREFIXES = (
    "application/javascript",
    "application/x-javascript",
    "text/javascript",
    "application/vnd.jupyter.widget-",
    "application/vnd.plotly.",
    "application/vnd.bokehjs_",
    "application/vnd.vega",
    "application/vnd.holoviews_",
    "application/vdom.",
)
# What we show of an output bundle, best first (nbconvert's HTML order, plus GIF/WebP/JSON).
DISPLAY_PRIORITY = (
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "text/vnd.mermaid",
    "text/latex",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/json",
    "text/plain",
)
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_VISIBLE_ELEMENT = re.compile(r"<(?:img|math|hr|table)\b")
_TAG = re.compile(r"<[^>]*>")


# --- outputs --------------------------------------------------------------------------


def _apply_carriage_returns(text: str) -> str:
    """What a terminal would show: text before a carriage return on a line is overwritten."""
    if "\r" not in text:
        return text
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(line.rsplit("\r", 1)[-1] if line.strip("\r") else line for line in lines)


def _pre(text: str, mime: str, extra: str = "") -> str:
    return (
        f'<div class="jp-RenderedText jp-OutputArea-output{extra}" data-mime-type="{mime}"'
        f' tabindex="0"><pre>{ansi2html(text)}</pre></div>'
    )


def _needs_js(mime: str) -> bool:
    return mime.startswith(JS_MIME_PREFIXES)


def _is_blank(fragment: str) -> bool:
    if _VISIBLE_ELEMENT.search(fragment):
        return False
    return not html.unescape(_TAG.sub("", fragment)).strip()


def _dimension(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and 0 < value <= 20000:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and 0 < int(value) <= 20000:
        return int(value)
    return None


def _image(mime: str, data: str, metadata: Mapping[str, Any], extra: str) -> str | None:
    if mime == "image/svg+xml":
        src = image_data_uri(mime, base64.b64encode(data.encode("utf-8")).decode("ascii"))
        wrapper = "jp-RenderedSVG"
    else:
        src = image_data_uri(mime, data)
        wrapper = "jp-RenderedImage"
    if src is None:
        return None
    meta = metadata.get(mime) if isinstance(metadata, Mapping) else None
    meta = meta if isinstance(meta, Mapping) else {}
    attributes = [f'src="{src}"', 'alt="Output image"']
    for name in ("width", "height"):
        number = _dimension(meta.get(name))
        if number is not None:
            attributes.append(f'{name}="{number}"')
    classes = []
    if meta.get("unconfined") is True:
        classes.append("unconfined")
    if meta.get("needs_background") in ("light", "dark"):
        classes.append(f"jp-needs-{meta['needs_background']}-background")
    if classes:
        attributes.append(f'class="{" ".join(classes)}"')
    return (
        f'<div class="{wrapper} jp-OutputArea-output{extra}" data-mime-type="{mime}"'
        f' tabindex="0"><img {" ".join(attributes)}></div>'
    )


def _html_block(kind: str, mime: str, fragment: str, extra: str) -> str:
    return (
        f'<div class="jp-RenderedHTMLCommon {kind} jp-OutputArea-output{extra}"'
        f' data-mime-type="{mime}" tabindex="0">{fragment}</div>'
    )


def _render_mime(mime: str, value: Any, metadata: Mapping[str, Any], extra: str) -> str | None:
    """One representation of an output bundle, or None when it shows nothing useful."""
    if mime == "text/html":
        fragment = sanitize_html(as_text(value))
        return (
            None if _is_blank(fragment) else _html_block("jp-RenderedHTML", mime, fragment, extra)
        )
    if mime == "text/markdown":
        fragment = markdown_to_html(as_text(value))
        return _html_block("jp-RenderedMarkdown", mime, fragment, extra)
    if mime.startswith("image/"):
        return _image(mime, as_text(value), metadata, extra)
    if mime == "text/latex":
        fragment = sanitize_html(latex_text_to_html(as_text(value)))
        return (
            f'<div class="jp-RenderedLatex jp-OutputArea-output{extra}" data-mime-type="{mime}"'
            f' tabindex="0">{fragment}</div>'
        )
    if mime == "text/vnd.mermaid":
        return (
            f'<div class="jp-Mermaid jp-OutputArea-output{extra}" data-mime-type="{mime}">'
            f'<pre class="mermaid">{html.escape(as_text(value).strip())}</pre></div>'
        )
    if mime == "application/json":
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
        return _pre(text, mime, extra)
    if mime == "text/plain":
        return _pre(as_text(value), mime, extra)
    return None


def _static_bundle(data: Mapping[str, Any], metadata: Mapping[str, Any], extra: str) -> str:
    js_types = [mime for mime in data if _needs_js(mime)]
    for mime in DISPLAY_PRIORITY:
        if mime in data:
            if mime == "text/plain" and js_types:
                break  # a repr such as "alt.Chart(...)" says less than the placeholder
            rendered = _render_mime(mime, data[mime], metadata, extra)
            if rendered is not None:
                return rendered
            if mime == "text/html":
                if _is_library_loader(data):
                    return ""
                js_types.append("text/html with scripts")
    if js_types:
        return placeholder(f"This output needs JavaScript ({js_types[0]}) and is not shown.", extra)
    if data:
        unknown = ", ".join(sorted(data))[:200]
        return placeholder(f"This output type ({unknown}) cannot be shown.", extra)
    return ""


def _is_library_loader(data: Mapping[str, Any]) -> bool:
    """Plotly's notebook-mode output: only scripts that load plotly.js, nothing to show."""
    if not set(data) <= {"text/html", "text/vnd.plotly.v1+html"}:
        return False
    text = as_text(data.get("text/html", ""))
    return "<script" in text and ("PlotlyConfig" in text or "plotly" in text[:2000].lower())


def _render_bundle(data: Mapping[str, Any], metadata: Mapping[str, Any], extra: str) -> str:
    static = _static_bundle(data, metadata, extra)
    mime = interactive_mime(data)
    return static if mime is None else chart_output(data, mime, static)


def coalesce_streams(outputs: Iterable[Any]) -> list[Mapping[str, Any]]:
    merged: list[Mapping[str, Any]] = []
    for output in outputs:
        if not isinstance(output, Mapping):
            continue
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.get("output_type") == "stream"
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            merged[-1] = {
                **previous,
                "text": as_text(previous.get("text", "")) + as_text(output.get("text", "")),
            }
        else:
            merged.append(output)
    return merged


def prompt_number(count: Any) -> str:
    return str(count) if isinstance(count, int) and not isinstance(count, bool) else "&nbsp;"


def render_output(output: Mapping[str, Any], execution_count: Any = None) -> str:
    """One output as a ``jp-OutputArea-child`` (empty string for an output that shows nothing)."""
    kind = output.get("output_type")
    prompt = ""
    if kind == "stream":
        name = output.get("name")
        mime = "application/vnd.jupyter.stderr" if name == "stderr" else "text/plain"
        inner = _pre(_apply_carriage_returns(as_text(output.get("text", ""))), mime)
    elif kind == "error":
        traceback = output.get("traceback") or [f"{output.get('ename')}: {output.get('evalue')}"]
        inner = _pre(
            "\n".join(as_text(line) for line in traceback), "application/vnd.jupyter.stderr"
        )
    elif kind in ("display_data", "execute_result"):
        data = output.get("data") or {}
        metadata = output.get("metadata") or {}
        extra = " jp-OutputArea-executeResult" if kind == "execute_result" else ""
        inner = _render_bundle(data if isinstance(data, Mapping) else {}, metadata, extra)
        if kind == "execute_result":
            prompt = f"Out[{prompt_number(output.get('execution_count', execution_count))}]:"
    else:
        inner = placeholder(f"Unknown output type ({str(kind)[:50]}).")
    if not inner:
        return ""
    child = (
        "jp-OutputArea-child jp-OutputArea-executeResult"
        if kind == "execute_result"
        else "jp-OutputArea-child"
    )
    return (
        f'<div class="{child}"><div class="jp-OutputPrompt jp-OutputArea-prompt">{prompt}</div>'
        f"{inner}</div>"
    )


def safe_output(output: Mapping[str, Any], execution_count: Any) -> str:
    try:
        return render_output(output, execution_count)
    except MemoryError:
        raise
    except Exception:
        logger.warning("output could not be rendered", exc_info=True)
        return (
            '<div class="jp-OutputArea-child"><div class="jp-OutputPrompt jp-OutputArea-prompt">'
            f"</div>{placeholder('This output could not be rendered.')}</div>"
        )
