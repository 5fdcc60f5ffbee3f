"""Our own tokeniser, used for the index and for queries alike (no Django).

The databases' own parsers read code badly (PostgreSQL takes ``pd.read_csv`` for a host name),
so both backends index the words made here: lower-case runs of letters and digits, plus, for
identifiers, their parts and their whole. ``pd.read_csv`` gives ``pd read csv read_csv
pd_read_csv``: a search for ``csv``, ``read_csv`` or ``pd.read_csv`` finds it. The words come in
order, so a quoted phrase made by the same function matches where the text says the same thing.
"""

from __future__ import annotations

import re

# Bump when the words made from a text change: rows of another version are rebuilt by
# ``manage.py reindex``.
INDEX_VERSION = 1

MAX_TEXT_CHARS = 20_000  # indexed per cell part; outputs can be megabytes
MAX_TOKENS = 12_000  # PostgreSQL positions stop at 16,383
MAX_TOKEN_CHARS = 64

# A word: letters, digits and underscores, joined by single dots (dotted names).
_WORD = re.compile(r"\w+(?:\.\w+)*")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z\d]+|[A-Z\d]+")

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    ]
)


def _parts(segment: str) -> list[str]:
    """A snake_case or camelCase segment's parts, lower-cased."""
    parts: list[str] = []
    for piece in segment.split("_"):
        if not piece:
            continue
        found = _CAMEL.findall(piece) if piece.isascii() else ()
        if len(found) > 1:
            parts.extend(p.lower() for p in found)
        else:
            parts.append(piece.lower())
    return parts


def word_tokens(word: str) -> list[str]:
    """The tokens of one word: its parts in order, then each compound's whole."""
    segments = word.split(".")
    tokens: list[str] = []
    wholes: list[str] = []
    for segment in segments:
        parts = _parts(segment)
        tokens.extend(parts)
        joined = "_".join(parts)
        if len(parts) > 1:
            wholes.append(joined)
    if len(segments) > 1:
        dotted = "_".join("_".join(_parts(s)) for s in segments if _parts(s))
        if dotted and dotted not in wholes and dotted not in tokens:
            wholes.append(dotted)
    return [t for t in tokens + wholes if len(t) <= MAX_TOKEN_CHARS]


def key_token(word: str) -> str | None:
    """The one token a query word must match: its whole if it is a compound."""
    tokens = word_tokens(word)
    return tokens[-1] if tokens else None


def words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) for each word of ``text``."""
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]


def tokenise(text: str, limit: int = MAX_TOKENS) -> list[str]:
    """Every token of ``text`` in order, at most ``limit``."""
    tokens: list[str] = []
    for match in _WORD.finditer(text[:MAX_TEXT_CHARS]):
        tokens.extend(word_tokens(match.group()))
        if len(tokens) >= limit:
            return tokens[:limit]
    return tokens
