"""Every notebook of the shared corpus: valid ones render, invalid ones get a clear error."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sharing.models import Notebook, Rendering
from tests.corpus import corpus_notebooks, refused_by_design

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_every_corpus_notebook_uploads_and_renders_or_is_refused_clearly(
    client, alice, tmp_media, settings
):
    settings.RENDER_ASYNC_BYTES = settings.RENDER_ASYNC_CELLS = 10**9  # render all inline
    client.force_login(alice)
    notebooks = corpus_notebooks()
    assert len(notebooks) > 200
    problems = []
    for item in notebooks:
        data = item.path.read_bytes()
        before = Notebook.objects.count()
        response = client.post(
            reverse("sharing:upload"), {"file": SimpleUploadedFile(item.name, data)}
        )
        if item.valid and not refused_by_design(data):
            if response.status_code != 302:
                problems.append((item.member, response.status_code, _error(response)))
                continue
            notebook = Notebook.objects.latest("id")
            job = Rendering.objects.get(content_sha256=notebook.latest_version.content_sha256)
            if job.status != Rendering.Status.READY:
                problems.append((item.member, "render", job.error))
            page = client.get(notebook.get_absolute_url())
            if page.status_code != 200 or b'class="ns-notebook' not in page.content:
                problems.append((item.member, "page", page.status_code))
        else:
            message = _error(response)
            if response.status_code != 400 or not message:
                problems.append((item.member, response.status_code, message))
            if Notebook.objects.count() != before:
                problems.append((item.member, "stored despite the error", ""))
    assert problems == [], "\n".join(map(str, problems))


def _error(response) -> str:
    form = response.context and response.context.get("form")
    if not form:
        return ""
    return " ".join(form.errors.get("file", []))
