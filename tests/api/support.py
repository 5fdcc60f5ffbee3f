"""Helpers for the API tests: tokens, headers and a clean rate-limit slate."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache, caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sharing.ratelimit import CACHE_ALIAS
from sharing.tokens import create_token
from tests.conftest import notebook_bytes

API = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_rate_limits(request):
    """Rate-limit counts live in the shared "ratelimit" cache (a database table, which
    transactional tests do not empty); user ids repeat across tests."""
    store = None
    if request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("django_db_setup")  # the test database, never the real one
        store = caches[CACHE_ALIAS]
    _clear(request, store)
    yield
    _clear(request, store)


def _clear(request, store) -> None:
    cache.clear()
    if store is not None:
        with request.getfixturevalue("django_db_blocker").unblock():
            store.clear()


def token_for(user, days: int | None = 30, name: str = "test") -> str:
    return create_token(user, name, days).raw


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def upload(data: bytes | None = None, name: str = "analysis.ipynb") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else notebook_bytes())


class TokenClient:
    """A test client that sends ``Authorization: Bearer <token>`` with every request."""

    def __init__(self, raw: str | None, **kwargs) -> None:
        self.client = Client(**kwargs)
        self.headers = bearer(raw) if raw else {}

    def get(self, path: str, **params):
        return self.client.get(API + path, params, headers=self.headers)

    def post(self, path: str, data: dict | None = None):
        return self.client.post(API + path, data or {}, headers=self.headers)

    def json(self, method: str, path: str, body):
        return self.client.generic(
            method,
            API + path,
            data=json.dumps(body),
            content_type="application/json",
            headers=self.headers,
        )

    def delete(self, path: str):
        return self.client.delete(API + path, headers=self.headers)
