"""Excerpts with the searched words marked, built from escaped text only (no Django models).

Only the page of results shown is highlighted, so the cost is bounded by the page size.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from sharing.search.tokens import word_tokens, words

WIDTH = 260


@dataclass(frozen=True)
class Excerpt:
    text: str  # plain text of the excerpt
    html: SafeString  # the same, escaped, with <mark> around the matched words
    spans: tuple[tuple[int, int], ...]  # (start, end) of the marks in ``text``


def excerpt(text: str, tokens: frozenset[str], width: int = WIDTH) -> Excerpt:
    hits = []
    # A word can only give a token if it contains each of the token's parts: a cheap test
    # that spares tokenising most words.
    needles = [token.split("_") for token in tokens]
    for start, end, word in words(text):
        lowered = word.lower()
        if not any(all(part in lowered for part in parts) for parts in needles):
            continue
        if tokens.intersection(word_tokens(word)):
            hits.append((start, end))
            if len(hits) > 1 and hits[-1][0] > hits[0][0] + width:
                break
    begin = 0
    if hits and hits[0][0] > width // 3:
        begin = hits[0][0] - width // 3
        space = text.find(" ", begin, hits[0][0])
        begin = space + 1 if space != -1 else begin
    finish = min(len(text), begin + width)
    shown = text[begin:finish]
    lead = "…" if begin > 0 else ""
    tail = "…" if finish < len(text) else ""
    marks, pairs, position = [], [], 0
    for start, end in hits:
        if start < begin or end > finish:
            continue
        start, end = start - begin, end - begin
        pairs.append((shown[position:start], shown[start:end]))
        marks.append((start + len(lead), end + len(lead)))
        position = end
    body = format_html_join("", "{}<mark>{}</mark>", pairs)
    html = format_html("{}{}{}{}", lead, body, shown[position:], tail)
    return Excerpt(f"{lead}{shown}{tail}", html, tuple(marks))
