"""What the page tests share: addresses, a comment on a cell, and the audit insert's cost."""

from __future__ import annotations

import re

from django.urls import reverse

from sharing.comments.cells import version_cells
from sharing.comments.threads import start_thread

GZIP = {"Accept-Encoding": "gzip, deflate, br"}

# The "notebook viewed" audit event: one INSERT after the response (tests/audit), here in a
# savepoint of its own (SAVEPOINT, INSERT, RELEASE) because each test runs in a transaction.
VIEW_RECORDED = 3


def comment_on(notebook, author, body: str, cell_number: int = 0):
    version = notebook.latest_version
    cell = sorted(version_cells(version).values(), key=lambda c: c.index)[cell_number]
    return start_thread(notebook, version, cell, author, body)[0]


def page(notebook) -> str:
    return reverse("sharing:notebook-detail", args=[notebook.pk])


def without_csrf(html: bytes) -> bytes:
    """The page minus its CSRF tokens, which are masked anew on every response."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)
