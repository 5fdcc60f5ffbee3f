"""Comment bodies: Markdown to sanitised HTML, with @mentions and highlighted code.

Raw HTML in a comment is escaped (shown as text), never interpreted. The result goes through
the same allowlist as notebook HTML (``sharing.sanitize``): no scripts, no event handlers, no
``javascript:`` links, no images from other hosts (such an image becomes a plain link).
Fenced code is highlighted with the Pygments classes the notebook page already styles, with
the lexers of ``markup.LEXER_ALIASES`` only, and only the first few blocks.

Untrusted text: ``render_body`` runs within the comment budget (``threads.render_for``).
"""

from __future__ import annotations

import html
import logging
import re
import threading
from dataclasses import dataclass, field

import mistune
from mistune import HTMLRenderer

from sharing.rendering.markup import highlight_code
from sharing.rendering.sanitize import sanitize_html

logger = logging.getLogger(__name__)

# A Django username (letters, digits and @.+-_) after "@", not inside a word or an address,
# not ending in a full stop (so "thanks @bob." mentions bob).
MENTION = re.compile(r"(?<![\w@/.+-])@(?P<mention_name>[\w.+-]{0,149}[\w+-])")
MAX_MENTIONS = 20
# Fenced code beyond these is shown plain (escaped, not highlighted).
MAX_HIGHLIGHTED_BLOCKS = 10
MAX_HIGHLIGHTED_CHARS = 20_000


@dataclass
class RenderedBody:
    html: str
    mentioned: list[str] = field(default_factory=list)  # usernames linked, in order


def mention_candidates(body: str) -> list[str]:
    """Every ``@name`` in the text (a superset: some may sit in code and stay plain)."""
    names: list[str] = []
    for match in MENTION.finditer(body):
        name = match.group("mention_name")
        if name not in names:
            names.append(name)
        if len(names) >= MAX_MENTIONS:
            break
    return names


class _CommentRenderer(HTMLRenderer):
    def __init__(self) -> None:
        super().__init__(escape=True)
        self.people: dict[str, str] = {}
        self.found: list[str] = []
        self.highlighted = 0

    def block_code(self, code: str, info: str | None = None) -> str:
        language = (info or "").strip().split(" ")[0].lower()[:40] or "text"
        self.highlighted += 1
        if self.highlighted > MAX_HIGHLIGHTED_BLOCKS or len(code) > MAX_HIGHLIGHTED_CHARS:
            return highlight_code(code, "text")
        return highlight_code(code, language)

    def image(self, text: str, url: str, title: str | None = None) -> str:
        if url.strip().lower().startswith("data:image/"):
            return super().image(text, url, title)  # the sanitiser keeps only safe data images
        label = text or html.escape(url)
        return self.link(f"image: {label}", url, title)

    def mention(self, name: str) -> str:
        url = self.people.get(name)
        if url is None:
            return html.escape(f"@{name}")
        if name not in self.found:
            self.found.append(name)
        return f'<a class="mention" href="{html.escape(url)}">@{html.escape(name)}</a>'


def _parse_mention(inline, match, state) -> int:
    state.append_token({"type": "mention", "raw": match.group("mention_name")})
    return match.end()


class _State(threading.local):
    def __init__(self) -> None:
        self.renderer = _CommentRenderer()
        self.markdown = mistune.create_markdown(
            escape=True,
            renderer=self.renderer,
            plugins=["strikethrough", "table", "url", "task_lists"],
        )
        self.markdown.inline.register(
            "mention", MENTION.pattern, _parse_mention, before="link", start_chars="@"
        )


_state = _State()


def render_body(body: str, people: dict[str, str] | None = None) -> RenderedBody:
    """Markdown ``body`` to safe HTML; ``people`` maps the usernames to link to their page."""
    renderer = _state.renderer
    renderer.people = people or {}
    renderer.found = []
    renderer.highlighted = 0
    try:
        raw = _state.markdown(body)
    except RecursionError:
        raw = f"<pre>{html.escape(body)}</pre>"
    except Exception:
        logger.warning("comment markdown could not be parsed; shown as text", exc_info=True)
        raw = f"<pre>{html.escape(body)}</pre>"
    return RenderedBody(sanitize_html(raw), list(renderer.found))
