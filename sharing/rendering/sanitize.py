"""Allowlist HTML sanitising for notebook content (and, later, comment bodies).

Two cleaners share one allowlist:

* the *content* cleaner (:func:`sanitize_html`) runs on every HTML fragment that comes from a
  notebook (markdown, ``text/html`` outputs, raw cells, MathML). It also renames notebook ids to
  ``nb-<id>`` (and ``href="#x"`` to ``#nb-x``) so they cannot clash with the page's ids, keeps
  only the classes content needs for its own look and moves every other class into ``nbc-``
  (``content_class``), so content cannot borrow our page's or JupyterLab's UI styles;
* the *final* cleaner (:func:`sanitize_final`) runs on the whole rendered notebook. It also
  allows the few structural attributes the renderer emits itself (cell ids and ``data-cell-*``),
  so a bug in the renderer cannot let anything else through.

Both use nh3 (ammonia, html5ever): the output is re-serialised from a parsed tree, so no
comment, CDATA or entity trick survives. Nothing here allows a ``style`` attribute, a script,
an event handler, a form control, a frame or a request to another host: images are kept only
as ``data:`` URIs of raster types or SVG (which cannot run scripts inside ``<img>``).
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Mapping
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import nh3
from pygments.token import STANDARD_TYPES

from sharing.cells import CELL_ID


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ID_PREFIX = "nb-"

IMAGE_MIME_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
)

HTML_TAGS = _words(
    """
    a abbr article aside b bdi bdo blockquote br caption cite code col colgroup dd del details
    dfn div dl dt em figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li mark
    ol p pre q rp rt ruby s samp section small span strong sub summary sup table tbody td tfoot
    th thead time tr u ul var wbr
    """
)

# MathML Core elements (plus menclose, which latex2mathml emits for \boxed and \cancel).
# annotation-xml is left out on purpose: it can carry HTML.
MATH_TAGS = _words(
    """
    math maction annotation menclose merror mfrac mi mmultiscripts mn mo mover mpadded mphantom
    mprescripts mroot mrow ms mspace msqrt mstyle msub msubsup msup mtable mtd mtext mtr munder
    munderover none semantics
    """
)

# Removed together with everything inside them.
CLEAN_CONTENT_TAGS = _words(
    """
    script style template noscript iframe frame frameset object embed applet svg textarea
    select title xmp noembed noframes plaintext annotation-xml
    """
)

MATH_ATTRIBUTES = _words(
    """
    display displaystyle scriptlevel mathvariant mathcolor mathbackground mathsize dir fence
    form largeop lspace rspace maxsize minsize movablelimits separator stretchy symmetric
    accent accentunder linethickness columnalign rowalign columnspan rowspan columnlines
    rowlines columnspacing rowspacing frame framespacing width height depth voffset notation
    encoding actiontype selection subscriptshift superscriptshift
    """
)
_MATH_LENGTHS = _words(
    """
    lspace rspace width height depth voffset columnspacing rowspacing framespacing
    linethickness mathsize maxsize minsize subscriptshift superscriptshift
    """
)

_GLOBAL_ATTRIBUTES = {"class", "id", "title", "lang", "dir"}
_TAG_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "details": {"open"},
    "time": {"datetime"},
    **{tag: set(MATH_ATTRIBUTES) for tag in MATH_TAGS},
}
# Attributes only the renderer itself emits; allowed by the final pass only.
_STRUCTURE_ATTRIBUTES = {
    "data-cell-id",
    "data-chart",
    "data-cell-index",
    "data-cell-type",
    "data-mime-type",
    "data-type",
    "tabindex",
}

CLASS_PREFIX = "nbc-"
# Classes content may keep (see ``content_class``): the vendored notebook CSS styles them.
CONTENT_CLASSES = frozenset(
    {name for name in STANDARD_TYPES.values() if name}
    | {"highlight", "hll", "linenos", "dataframe", "anchor-link", "math-error", "blocked-image"}
    | {"math-l", "math-r", "math-tight"}  # table alignment of converted math (mathml_tree)
)
_CONTENT_CLASS_PATTERN = re.compile(r"hl-[a-z0-9]{1,40}|ansi-[a-z-]{1,40}")

LINK_REL = "noopener noreferrer nofollow"
_URL_SCHEMES = {"http", "https", "mailto", "data", "attachment"}

_DATA_IMAGE = re.compile(
    r"data:(?P<mime>image/(?:png|jpeg|gif|webp|svg\+xml))"
    r"(?P<params>(?:;[a-z0-9-]+=[a-z0-9.+-]+)*)(?P<b64>;base64)?,",
    re.IGNORECASE,
)
_BASE64 = re.compile(r"[A-Za-z0-9+/=]*")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]+")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))
# What stays unquoted in each part of a rebuilt URL (RFC 3986; "%" keeps existing escapes).
_NETLOC_SAFE = "%:@[]!$&'()*+,;=-._~"
_PATH_SAFE = "%/:@!$&'()*+,;=-._~"
_QUERY_SAFE = "%/:@!$&'()*+,;=-._~?"
_FRAGMENT_SAFE = "%/:@!$&'()*+,;=-._~?"
_MAILTO_SAFE = "@.+-_,;=!$&'()*~?%"
_INTEGER = re.compile(r"\s*\+?(\d{1,6})\s*(?:px)?\s*")
_SAFE_CLASS = re.compile(r"[A-Za-z0-9_-]{1,100}")
_MATH_VALUE = re.compile(r"[#A-Za-z0-9.,%() ]{0,100}")

_context = threading.local()


def image_data_uri(mime: str, data: str) -> str | None:
    """A ``data:`` URI for base64 image data of an allowed type, or None."""
    mime = mime.lower()
    if mime not in IMAGE_MIME_TYPES:
        return None
    payload = _CONTROL_OR_SPACE.sub("", data)
    if not _BASE64.fullmatch(payload):
        return None
    return f"data:{mime};base64,{payload}"


class attachments_context:
    """Resolve ``attachment:NAME`` image sources from this cell's attachments while active."""

    def __init__(self, attachments: Mapping[str, Mapping[str, object]] | None) -> None:
        self.attachments = attachments if isinstance(attachments, Mapping) else {}

    def __enter__(self) -> None:
        self.previous = getattr(_context, "attachments", None)
        _context.attachments = self.attachments

    def __exit__(self, *exc: object) -> None:
        _context.attachments = self.previous


def _resolve_attachment(name: str) -> str | None:
    attachments = getattr(_context, "attachments", None) or {}
    bundle = attachments.get(name) or attachments.get(unquote(name))
    if not isinstance(bundle, Mapping):
        return None
    for mime in ("image/svg+xml", "image/png", "image/jpeg", "image/gif", "image/webp"):
        data = bundle.get(mime)
        if isinstance(data, list):
            data = "".join(str(part) for part in data)
        if isinstance(data, str):
            return image_data_uri(mime, data)
    return None


def _clean_img_src(value: str) -> str | None:
    """A ``data:`` URI rebuilt from its validated parts, or None: the input string itself is
    never returned, so a scheme split by spaces or control characters cannot pass as a
    relative URL (a request to our own paths)."""
    trimmed = value.strip(_C0_AND_SPACE)
    head = _CONTROL_OR_SPACE.sub("", trimmed[:200]).lower()
    if head.startswith("attachment:"):
        return _resolve_attachment(trimmed.split(":", 1)[1].strip(_C0_AND_SPACE))
    match = _DATA_IMAGE.match(head)
    if not match or "," not in trimmed:
        return None  # remote, relative or other: never make a request from our page
    mime = match.group("mime").lower()
    body = trimmed.split(",", 1)[1]
    if match.group("b64"):
        return image_data_uri(mime, body)
    if mime != "image/svg+xml":
        return None
    svg = unquote(body).encode("utf-8", "replace")
    return image_data_uri(mime, base64.b64encode(svg).decode("ascii"))


def _clean_href(value: str, *, prefix_fragment: bool) -> str | None:
    """A link target rebuilt from its validated, quoted parts, or None.

    Kept: fragments (renamed into the ``nb-`` id space), http(s) and mailto links (without a
    user:password part), and relative links (path only: a navigation the reader chooses).
    Browsers drop tabs and newlines anywhere in a URL and control characters or spaces around
    it, so the scheme is judged on such a compacted copy; whatever is kept is re-assembled from
    ``urlsplit``'s parts.
    """
    cleaned = _TAB_OR_NEWLINE.sub("", value).strip(_C0_AND_SPACE)
    compact = _CONTROL_OR_SPACE.sub("", cleaned).lower()
    if compact.startswith("#"):
        fragment = quote(cleaned[1:], safe=_FRAGMENT_SAFE)
        if prefix_fragment and not fragment.startswith(ID_PREFIX):
            fragment = ID_PREFIX + fragment
        return "#" + fragment
    scheme = re.match(r"([a-z][a-z0-9+.-]*):", compact)
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if scheme is None:
        if parts.scheme:
            return None
    elif scheme.group(1) not in {"http", "https", "mailto"} or parts.scheme.lower() != scheme.group(
        1
    ):
        return None
    if parts.scheme.lower() == "mailto":
        return "mailto:" + quote(unquote(parts.path), safe=_MAILTO_SAFE)
    if parts.scheme and not parts.netloc:
        return None
    if not parts.scheme and not parts.netloc:
        # A relative link leads to our own pages: its path only (no query), quoted.
        fragment = quote(parts.fragment, safe=_FRAGMENT_SAFE)
        return quote(parts.path, safe=_PATH_SAFE) + (f"#{fragment}" if fragment else "")
    host = parts.netloc.rpartition("@")[2]  # no user:password@ part that dresses up the host
    if not host:
        return None
    return urlunsplit(
        (
            parts.scheme.lower(),
            quote(host, safe=_NETLOC_SAFE),
            quote(parts.path, safe=_PATH_SAFE),
            quote(parts.query, safe=_QUERY_SAFE),
            quote(parts.fragment, safe=_FRAGMENT_SAFE),
        )
    )


def _clean_dimension(value: str) -> str | None:
    match = _INTEGER.fullmatch(value)
    if match is None:
        return None
    number = int(match.group(1))
    return str(number) if 0 < number <= 20000 else None


def _clean_common(element: str, attribute: str, value: str) -> str | bool | None:
    """Rules shared by both passes; returns True when the attribute needs pass-specific rules."""
    if attribute == "src":
        return _clean_img_src(value) if element == "img" else None
    if element == "img" and attribute in {"width", "height"}:
        return _clean_dimension(value)
    if element in MATH_TAGS and attribute in _MATH_LENGTHS | {"mathcolor", "mathbackground"}:
        if "-" in value or not _MATH_VALUE.fullmatch(value):
            return None
        return value
    if attribute in {"class", "id", "href"} or attribute in _STRUCTURE_ATTRIBUTES:
        return True
    return value


def _content_filter(element: str, attribute: str, value: str) -> str | None:
    result = _clean_common(element, attribute, value)
    if result is not True:
        return result  # type: ignore[return-value]
    if attribute == "class":
        names = (content_class(name) for name in value.split() if _SAFE_CLASS.fullmatch(name))
        return " ".join(name for name in names if name) or None
    if attribute == "id":
        value = value.strip()
        if not value:
            return None
        return value if value.startswith(ID_PREFIX) else ID_PREFIX + value
    if attribute == "href":
        return _clean_href(value, prefix_fragment=True)
    return None


def content_class(name: str) -> str | None:
    """What a class written by notebook (or comment) content becomes.

    Content keeps only the classes that give it its own look (Pygments tokens, ANSI colours,
    pandas tables, heading anchors, math errors); every other class moves into the
    ``nbc-`` space, which no page CSS uses, so content cannot dress up as our interface (a
    fake resolved thread, a fake button). ``jp-``/``ns-`` classes are dropped.
    """
    if name.startswith(("ns-", "jp-")):
        return None
    if name in CONTENT_CLASSES or _CONTENT_CLASS_PATTERN.fullmatch(name):
        return name
    if name == "mention" and getattr(_context, "comment_body", False):
        return name  # the @mention links the comment renderer itself makes
    return CLASS_PREFIX + name


def _is_cell_anchor(value: str) -> bool:
    return value.startswith("cell-") and bool(CELL_ID.fullmatch(value[len("cell-") :]))


def _final_filter(element: str, attribute: str, value: str) -> str | None:
    result = _clean_common(element, attribute, value)
    if result is not True:
        return result  # type: ignore[return-value]
    if attribute == "class":
        return " ".join(name for name in value.split() if _SAFE_CLASS.fullmatch(name)) or None
    if attribute == "id":
        ok = value.startswith(ID_PREFIX) or _is_cell_anchor(value)
        return value if ok else None
    if attribute == "href":
        return _clean_href(value, prefix_fragment=False)
    if attribute == "tabindex":
        return "0" if value == "0" else None
    if attribute in {"data-cell-index", "data-chart"}:
        return value if value.isdigit() else None
    if attribute == "data-cell-type":
        return value if value in {"code", "markdown", "raw"} else None
    if attribute == "data-cell-id":
        return value if CELL_ID.fullmatch(value) else None
    if attribute in {"data-mime-type", "data-type"}:
        return value if re.fullmatch(r"[a-z0-9.+/_-]{1,100}", value) else None
    return None


def _attributes(*, final: bool) -> dict[str, set[str]]:
    attributes = {tag: set(names) for tag, names in _TAG_ATTRIBUTES.items()}
    attributes["*"] = set(_GLOBAL_ATTRIBUTES)
    if final:
        attributes["div"] = set(_STRUCTURE_ATTRIBUTES)
    return attributes


def _make_cleaner(*, final: bool) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(HTML_TAGS | MATH_TAGS),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes=_attributes(final=final),
        attribute_filter=_final_filter if final else _content_filter,
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes=set(_URL_SCHEMES),
    )


def _cleaners() -> tuple[nh3.Cleaner, nh3.Cleaner]:
    cleaners = getattr(_context, "cleaners", None)
    if cleaners is None:
        cleaners = _context.cleaners = (_make_cleaner(final=False), _make_cleaner(final=True))
    return cleaners


def sanitize_html(fragment: str, *, comment_body: bool = False) -> str:
    """Return ``fragment`` reduced to the allowlist (safe to put inline in our pages).

    ``comment_body``: the fragment is a rendered comment (its @mention links keep their class).
    """
    previous = getattr(_context, "comment_body", False)
    _context.comment_body = comment_body
    try:
        return _cleaners()[0].clean(fragment)
    finally:
        _context.comment_body = previous


def sanitize_final(html: str) -> str:
    """The last pass over renderer output: the allowlist plus the renderer's own attributes."""
    return _cleaners()[1].clean(html)
