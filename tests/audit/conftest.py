"""The audit tests' site: alice's notebook, bob comments on it, carol outside, root staff."""

from __future__ import annotations

import pytest
from django.test import Client

from sharing.grants import set_user_role
from tests.api.support import fresh_rate_limits  # noqa: F401  (an autouse fixture)
from tests.audit.support import Site


@pytest.fixture
def site(alice, bob, carol, admin_user_, make_notebook) -> Site:
    notebook = make_notebook(alice, title="Quarterly churn")
    set_user_role(notebook, bob, "commenter")
    return Site(Client(), alice, bob, carol, admin_user_, notebook)
