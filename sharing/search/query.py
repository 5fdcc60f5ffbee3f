"""Reading what people type into the search box (no Django).

Words must all match; ``"quoted phrases"`` match in order; ``-word`` and ``-"a phrase"``
exclude; ``owner:alice`` and ``in:code`` (``markdown``, ``outputs``, ``comments``, ``title``)
filter. Anything else, including unbalanced quotes and stray operators, is read as plain words:
a query never fails for its syntax. Only its length is refused (``QueryTooLong``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sharing.search.tokens import STOP_WORDS, key_token, tokenise, words

MAX_QUERY_CHARS = 1_000
MAX_TERMS = 16
MAX_PHRASE_TOKENS = 32

IN_KINDS = {
    "code": ("code",),
    "markdown": ("markdown",),
    "md": ("markdown",),
    "output": ("output",),
    "outputs": ("output",),
    "comment": ("comment",),
    "comments": ("comment",),
    "title": ("title",),
}

_PIECE = re.compile(r'(-?)"([^"]*)"|(-?)([A-Za-z]+):([^\s"]+)|(-?)([^\s"]+)')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class QueryTooLong(ValueError):
    def __init__(self) -> None:
        super().__init__(f"Search for at most {MAX_QUERY_CHARS:,} characters.")


@dataclass
class Query:
    text: str = ""
    terms: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    excluded: list[list[str]] = field(default_factory=list)
    owner: str | None = None
    kinds: tuple[str, ...] = ()
    dropped_common: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing to look for (the filters alone do not make a search)."""
        return not (self.terms or self.phrases)

    @property
    def highlight_tokens(self) -> frozenset[str]:
        found = set(self.terms)
        for phrase in self.phrases:
            found.update(phrase)
        return frozenset(found)


def clean(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


def parse(text: str) -> Query:
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooLong()
    text = clean(text)
    query = Query(text=text)
    source = text if text.count('"') % 2 == 0 else text.replace('"', " ")
    for match in _PIECE.finditer(source):
        neg_phrase, phrase, neg_op, name, value, neg_word, word = match.groups()
        if phrase is not None:
            _add_phrase(query, tokenise(phrase)[:MAX_PHRASE_TOKENS], bool(neg_phrase))
        elif name is not None and _add_operator(query, name.lower(), value, bool(neg_op)):
            continue
        elif name is not None:
            _add_words(query, f"{name} {value}", bool(neg_op))
        else:
            _add_words(query, word, bool(neg_word))
    return query


def _add_operator(query: Query, name: str, value: str, negated: bool) -> bool:
    if negated:
        return False
    if name == "owner" and query.owner is None and len(value) <= 150:
        query.owner = value
        return True
    if name == "in" and value.lower() in IN_KINDS:
        query.kinds = tuple(dict.fromkeys(query.kinds + IN_KINDS[value.lower()]))
        return True
    return False


def _add_phrase(query: Query, tokens: list[str], negated: bool) -> None:
    if not tokens or _full(query):
        return
    if len(tokens) == 1:
        _add_token(query, tokens[0], negated, keep_common=True)
    elif negated:
        query.excluded.append(tokens)
    else:
        query.phrases.append(tokens)


def _add_words(query: Query, piece: str, negated: bool) -> None:
    for _start, _end, word in words(piece):
        token = key_token(word)
        if token is not None:
            _add_token(query, token, negated)


def _add_token(query: Query, token: str, negated: bool, keep_common: bool = False) -> None:
    if _full(query):
        return
    if token in STOP_WORDS and not keep_common:
        query.dropped_common.append(token)
    elif negated:
        if [token] not in query.excluded:
            query.excluded.append([token])
    elif token not in query.terms:
        query.terms.append(token)


def _full(query: Query) -> bool:
    return len(query.terms) + len(query.phrases) + len(query.excluded) >= MAX_TERMS


# --- the two backends' query languages -----------------------------------------------------
# Tokens are runs of word characters only (no quotes, spaces or operators), so quoting them is
# enough to keep every character of the query out of the languages' syntax.


def tsquery(query: Query) -> str:
    """PostgreSQL ``tsquery`` text (cast with ``::tsquery``, no parser in between)."""

    def group(tokens: list[str]) -> str:
        inner = " <-> ".join(f"'{token}'" for token in tokens)
        return f"({inner})" if len(tokens) > 1 else inner

    positive = [f"'{t}'" for t in query.terms] + [group(p) for p in query.phrases]
    negative = [f"!{group(p)}" for p in query.excluded]
    return " & ".join(positive + negative)


def fts5_match(query: Query) -> str:
    """SQLite FTS5 ``MATCH`` text."""

    def group(tokens: list[str]) -> str:
        return '"' + " ".join(tokens) + '"'

    positive = " AND ".join(group([t]) for t in query.terms)
    phrases = " AND ".join(group(p) for p in query.phrases)
    expression = " AND ".join(x for x in (positive, phrases) if x)
    for phrase in query.excluded:
        expression = f"({expression}) NOT {group(phrase)}"
    return expression
