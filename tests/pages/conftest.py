"""The page tests' fixtures: every test starts with the per-process caches empty, and alice's
notebook with a thread, shared with bob."""

from __future__ import annotations

import pytest

from sharing.grants import set_user_role
from sharing.pages import bodies, fragments, memo
from tests.conftest import notebook_bytes
from tests.pages.support import comment_on


@pytest.fixture(autouse=True)
def cold_caches():
    for cache in (fragments, bodies, memo):
        cache.clear()
    yield
    for cache in (fragments, bodies, memo):
        cache.clear()


@pytest.fixture
def shared(alice, bob, make_notebook):
    """Alice's notebook with a thread on its first cell, bob a viewer of it."""
    notebook = make_notebook(alice, notebook_bytes(cells=8), title="Quarterly churn")
    set_user_role(notebook, bob, "viewer")
    comment_on(notebook, alice, "First look: the *baseline* is off.")
    return notebook
