"""Property-based: schemathesis drives the API from the OpenAPI document the API itself serves.

For every operation it sends valid and invalid requests (bounded: 25 examples per operation,
derandomized so CI sees the same cases every run) with alice's token, and checks that nothing
answers 500, every status is documented, every response matches its documented schema and
content type, invalid requests are refused with a 4xx, valid ones never get a 422, and no
operation works without the token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sharing.comments.cells import version_cells
from sharing.comments.threads import start_thread
from sharing.grants import set_user_role
from sharing.links import create_link
from sharing.tokens import create_token
from tests.api.support import fresh_rate_limits  # noqa: F401

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    ignored_auth,
]

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "mode": "all",
            "max-examples": 25,
            "deterministic": True,
            "database": "none",
        },
        "checks": {
            # A schema-valid request may still be refused for what a schema cannot say (a file
            # that is not a notebook, a stale expected_latest, a username nobody has): 400,
            # 404, 409, 413. It must never be a 422, which means "does not match the schema".
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "413", "429"]
            },
        },
    }
)

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
)


@schema.hook
def filter_headers(context, headers) -> bool:
    """No made-up Host header: Django's ALLOWED_HOSTS check refuses those for the whole site
    (an HTML 400) before any API code runs."""
    return not headers or "host" not in {name.lower() for name in headers}


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes the connection after each request, ending the test's
    transaction; Django's own test client disconnects that handler in the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@dataclass
class Caller:
    token: str
    notebook_id: int
    link_id: int
    thread_id: int
    cell_id: str


@pytest.fixture
def caller(keep_test_connection, alice, bob, make_notebook, settings) -> Caller:
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis's WSGI client calls it localhost
    settings.RATE_LIMIT_API = ""
    notebooks = [make_notebook(alice, title=title) for title in ("First", "Second")]
    for notebook in notebooks:
        set_user_role(notebook, bob, "editor")
    first = notebooks[0]
    cell = list(version_cells(first.latest_version).values())[1]
    comment, _ = start_thread(first, first.latest_version, cell, alice, "Why?")
    link, _ = create_link(first, alice, expires_at=timezone.now() + timedelta(days=1))
    token = create_token(alice, "schemathesis", 30).raw
    return Caller(token, first.pk, link.pk, comment.thread_id, cell.id)


def aim_at_a_real_notebook(case, caller: Caller) -> None:
    """Random ids almost never exist: point half of the valid cases at alice's notebook (its
    share link, its thread, one of its cells), so that successful responses are checked
    against the document too. Negative cases are left as generated, so what made them
    invalid stays."""
    if not case.meta.generation.mode.is_positive:
        return
    params = case.path_parameters or {}
    real = {
        "notebook_id": caller.notebook_id,
        "link_id": caller.link_id,
        "thread_id": caller.thread_id,
    }
    for name, pk in real.items():
        generated = params.get(name)
        if isinstance(generated, int) and generated % 2:
            params[name] = pk
            if "number" in params:
                params["number"] = 1
            if isinstance(case.body, dict) and "cell_id" in case.body:
                case.body["cell_id"] = caller.cell_id


@pytest.mark.django_db
@schema.parametrize()
# The notebooks and the token are meant to be shared by every example of an operation.
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_matches_its_own_openapi_document(case, caller):
    aim_at_a_real_notebook(case, caller)
    # The WSGI transport does not undo Content-Encoding: ask for the plain body.
    headers = {"Authorization": f"Bearer {caller.token}", "Accept-Encoding": "identity"}
    case.call_and_validate(headers=headers, checks=CHECKS)
