"""Our own 404, 403, 410 and 500 pages, with DEBUG on or off: never Django's debug pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sharing import links
from sharing.grants import set_user_role

pytestmark = pytest.mark.django_db
DEBUG_PAGE = "DEBUG = True"  # what Django's technical pages say


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    settings.ROOT_URLCONF = "tests.error_urls"
    return request.param


@pytest.mark.parametrize("path", ["/no/such/page/", "/n/999999/", "/n/1/v/999/", "/%ff/"])
def test_not_found_is_our_page(client, alice, debug, path):
    client.force_login(alice)
    response = client.get(path)
    assert response.status_code == 404
    assert DEBUG_PAGE not in response.text
    assert "There is nothing here" in response.text


def test_a_missing_slash_still_redirects(client, alice, debug):
    client.force_login(alice)
    response = client.get("/upload")
    assert response.status_code == 301
    assert response.url == "/upload/"


def test_forbidden_is_our_page(client, alice, bob, make_notebook, debug):
    notebook = make_notebook(alice)
    set_user_role(notebook, bob, "viewer")
    client.force_login(bob)
    response = client.get(reverse("sharing:notebook-access", args=[notebook.pk]))
    assert response.status_code == 403
    assert DEBUG_PAGE not in response.text


def test_an_ended_share_link_is_our_410_page(client, alice, bob, make_notebook, debug):
    notebook = make_notebook(alice)
    link, token = links.create_link(notebook, alice, expires_at=links.latest_expiry())
    links.revoke(link, alice)
    client.force_login(bob)
    response = client.get(reverse("sharing:share-link-open", args=[token]))
    assert response.status_code == 410
    assert DEBUG_PAGE not in response.text


def test_a_server_error_is_our_page_and_is_logged(alice, debug, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert DEBUG_PAGE not in response.text and "RuntimeError" not in response.text
    assert "a bug" in caplog.text  # the traceback is in the log, not the page
