"""The shared corpus published through the API with a token, then read by a colleague."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sharing.models import Notebook
from tests.api.support import TokenClient, fresh_rate_limits, token_for  # noqa: F401
from tests.corpus import corpus_notebooks, refused_by_design

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_corpus_published_through_the_api_reads_in_a_colleagues_browser_session(
    alice, bob, tmp_media, settings
):
    settings.RENDER_ASYNC_BYTES = settings.RENDER_ASYNC_CELLS = 10**9  # render all inline
    settings.RATE_LIMIT_API = ""
    ci = TokenClient(token_for(alice, name="CI"))
    colleague = Client()
    colleague.force_login(bob)
    notebooks = corpus_notebooks()
    assert len(notebooks) > 200
    problems, published = [], 0
    for item in notebooks:
        before = Notebook.objects.count()
        response = ci.post(
            "/notebooks", {"file": SimpleUploadedFile(item.name, item.path.read_bytes())}
        )
        body = response.json()
        if not item.valid or refused_by_design(item.path.read_bytes()):
            if response.status_code != 400 or not body.get("detail") or not body.get("code"):
                problems.append((item.member, response.status_code, body))
            if Notebook.objects.count() != before:
                problems.append((item.member, "stored despite the error"))
            continue
        if response.status_code != 201:
            problems.append((item.member, response.status_code, body))
            continue
        share = ci.json(
            "PUT",
            f"/notebooks/{body['id']}/access",
            {"visibility": "private", "users": [{"username": "bob", "role": "viewer"}]},
        )
        if share.status_code != 200:
            problems.append((item.member, "share", share.status_code))
        page = colleague.get(body["html_url"])
        if page.status_code != 200 or b'class="ns-notebook' not in page.content:
            problems.append((item.member, "page", page.status_code))
        published += 1
    assert problems == [], "\n".join(map(str, problems))
    assert published > 150
    assert Notebook.objects.shared_with(bob).count() == published
