"""No raw share-link token is ever stored or logged, through a link's whole life cycle."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from sharing import links
from sharing.models import UserSession
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def every_stored_value() -> str:
    """The text of every row of every table, and every decoded session."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from introspection)
            chunks.extend(repr(row) for row in cursor.fetchall())
    chunks.extend(json.dumps(s.get_decoded(), default=str) for s in UserSession.objects.all())
    return "\n".join(chunks)


def test_the_raw_token_is_never_stored_nor_logged(alice, bob, make_notebook, caplog, settings):
    settings.RATE_LIMIT_LINKS = "5/m"  # per account: bob, once signed in
    caplog.set_level(logging.DEBUG)
    notebook = make_notebook(alice, title="Secret plans")
    owner, guest = Client(), Client()
    owner.force_login(alice)

    # alice creates a link and reads it once
    create = reverse("sharing:share-link-create", args=[notebook.pk])
    response = owner.post(create, {"role": "viewer", "expires": "1d", "follow": "latest"})
    page = owner.get(response.url)
    token = re.search(r"/l/([A-Za-z0-9_-]{43})/", page.text)[1]
    link_url = reverse("sharing:share-link-open", args=[token])

    # bob opens it, signs in, reads, comes back through it
    login = guest.get(link_url)
    guest.post(login.url, {"username": "bob", "password": PASSWORD, "next": link_url})
    assert guest.get(link_url).url == notebook.get_absolute_url()
    assert guest.get(notebook.get_absolute_url()).status_code == 200

    # alice revokes it; bob's page and the link itself are gone; he keeps trying
    link = links.find(token)
    owner.post(reverse("sharing:share-link-revoke", args=[notebook.pk, link.pk]))
    assert guest.get(notebook.get_absolute_url()).status_code == 410
    statuses = [guest.get(link_url).status_code for _ in range(5)]
    assert statuses[-1] == 429  # rate-limited, and logged as such

    log_text = "\n".join([record.getMessage() for record in caplog.records] + [caplog.text])
    assert "/l/[redacted]/" in log_text  # the refused requests were logged, redacted
    assert token not in log_text
    assert token not in every_stored_value()
    assert links.hash_token(token) in every_stored_value()
