"""The searchable text of a notebook: pure functions of its stored bytes (no Django).

``parts_of_bytes`` parses user content, so it runs under ``sharing.budget`` (see
``sharing.search.indexing``). Each cell gives up to two parts: its source (with its tags) and
the text of its outputs (streams, ``text/plain``, ``text/markdown``, tracebacks without ANSI
codes, the text of HTML tables). Each part's text is capped at ``MAX_TEXT_CHARS``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from sharing.cells import page_cell_id
from sharing.search.tokens import MAX_TEXT_CHARS, tokenise

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CODE, MARKDOWN, RAW, OUTPUT, TITLE, COMMENT = (
    "code",
    "markdown",
    "raw",
    "output",
    "title",
    "comment",
)
KINDS = (CODE, MARKDOWN, RAW, OUTPUT, TITLE, COMMENT)


@dataclass(frozen=True)
class Part:
    kind: str
    cell_id: str
    cell_index: int | None
    text: str
    tokens: tuple[str, ...]


def clean(text: str) -> str:
    """Text without ANSI escapes and control characters (NUL included), capped."""
    return _CONTROL.sub("", _ANSI.sub("", text[: MAX_TEXT_CHARS * 2]))[:MAX_TEXT_CHARS]


def part(kind: str, cell_id: str, index: int | None, text: str) -> Part | None:
    text = clean(text).strip()
    tokens = tuple(tokenise(text))
    if not tokens:
        return None
    return Part(kind, cell_id, index, text, tokens)


def _joined(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(item) for item in value)
    return value if isinstance(value, str) else ""


class _TableText(HTMLParser):
    """The text inside ``<table>`` elements of an HTML output (e.g. a DataFrame)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.chunks: list[str] = []
        self.size = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "table":
            self.depth += 1
        elif tag in ("td", "th", "tr") and self.depth:
            self.chunks.append(" " if tag != "tr" else "\n")

    def handle_endtag(self, tag) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
            self.chunks.append("\n")

    def handle_data(self, data) -> None:
        if self.depth and self.size < MAX_TEXT_CHARS:
            self.chunks.append(data)
            self.size += len(data)


def table_text(html: str) -> str:
    parser = _TableText()
    parser.feed(html[: MAX_TEXT_CHARS * 10])
    parser.close()
    text = "".join(parser.chunks)
    return re.sub(r"[ \t]+", " ", text).strip()


def output_text(output: Any) -> str:
    if not isinstance(output, dict):
        return ""
    kind = output.get("output_type")
    if kind == "stream":
        return _joined(output.get("text"))
    if kind == "error":
        lines = output.get("traceback")
        if isinstance(lines, list) and lines:
            return "\n".join(str(line) for line in lines)
        return f"{output.get('ename', '')}: {output.get('evalue', '')}"
    if kind in ("execute_result", "display_data"):
        data = output.get("data")
        if not isinstance(data, dict):
            return ""
        texts = [_joined(data.get("text/markdown"))]
        html = _joined(data.get("text/html"))
        tables = table_text(html) if "<table" in html.lower() else ""
        # A table's text says what text/plain says, only better; otherwise the plain text.
        texts.append(tables or _joined(data.get("text/plain")))
        return "\n".join(t for t in texts if t)
    return ""


def parts_of_notebook(nb: Any) -> list[Part]:
    parts: list[Part] = []
    cells = nb.get("cells") if isinstance(nb, dict) else None
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        if not isinstance(cell, dict):
            continue
        cell_id = page_cell_id(cell, index)
        kind = str(cell.get("cell_type", RAW))
        kind = kind if kind in (CODE, MARKDOWN) else RAW
        metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        tags = metadata.get("tags") if isinstance(metadata.get("tags"), list) else []
        text = _joined(cell.get("source"))[:MAX_TEXT_CHARS]
        if tags:
            text += "\n\nTags: " + ", ".join(str(tag) for tag in tags[:50])
        source = part(kind, cell_id, index, text)
        if source is not None:
            parts.append(source)
        outputs = cell.get("outputs") if kind == CODE else None
        if isinstance(outputs, list) and outputs:
            texts, size = [], 0
            for output in outputs:
                text = output_text(output)
                texts.append(text)
                size += len(text)
                if size > MAX_TEXT_CHARS:
                    break
            found = part(OUTPUT, cell_id, index, "\n".join(t for t in texts if t))
            if found is not None:
                parts.append(found)
    return parts


def parts_of_bytes(data: bytes) -> list[Part]:
    """The parts of a stored (normalised, already validated) notebook."""
    return parts_of_notebook(json.loads(data))
