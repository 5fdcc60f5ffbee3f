"""Notebook, version, download, rename and delete pages, and the dashboard."""

import hashlib
import os

import nbconvert
import nbformat
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharing.ingest import Upload
from sharing.models import Notebook, NotebookVersion, Rendering
from sharing.notebooks import add_version
from sharing.rendering import renderer
from tests.conftest import notebook_bytes

pytestmark = pytest.mark.django_db


def detail(nb):
    return reverse("sharing:notebook-detail", args=[nb.pk])


def test_owner_sees_rendered_notebook_with_its_details(client, alice, make_notebook):
    notebook = make_notebook(alice, title="Sales forecast")
    client.force_login(alice)
    response = client.get(detail(notebook))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sales forecast" in html
    assert "alice" in html
    assert "data-version-number>1<" in html
    assert "Analysis</h1>" in html or ">Analysis<" in html
    assert f'id="cell-{_first_cell_id(notebook)}"' in html


def _first_cell_id(notebook) -> str:
    with notebook.latest_version.normalized.open("rb") as handle:
        return nbformat.reads(handle.read().decode(), 4).cells[0].id


@pytest.mark.parametrize(
    "url_name",
    ["notebook-detail", "notebook-upload-version", "notebook-rename", "notebook-delete"],
)
def test_outsider_gets_404_for_notebook_pages(client, alice, carol, make_notebook, url_name):
    notebook = make_notebook(alice)
    client.force_login(carol)
    assert client.get(reverse(f"sharing:{url_name}", args=[notebook.pk])).status_code == 404


@pytest.mark.parametrize("url_name", ["version-detail", "version-download", "render-status"])
def test_outsider_gets_404_for_versions_and_downloads(
    client, alice, carol, make_notebook, url_name
):
    notebook = make_notebook(alice)
    client.force_login(carol)
    assert client.get(reverse(f"sharing:{url_name}", args=[notebook.pk, 1])).status_code == 404


def test_outsider_cannot_delete_or_rename_by_post(client, alice, carol, make_notebook):
    notebook = make_notebook(alice, title="Keep me")
    client.force_login(carol)
    assert client.post(reverse("sharing:notebook-delete", args=[notebook.pk])).status_code == 404
    rename = reverse("sharing:notebook-rename", args=[notebook.pk])
    assert client.post(rename, {"title": "Hacked"}).status_code == 404
    notebook.refresh_from_db()
    assert notebook.title == "Keep me"


def test_superuser_sees_any_notebook(client, alice, admin_user_, make_notebook):
    notebook = make_notebook(alice)
    client.force_login(admin_user_)
    assert client.get(detail(notebook)).status_code == 200


def test_unknown_version_is_404(client, alice, make_notebook):
    notebook = make_notebook(alice)
    client.force_login(alice)
    url = reverse("sharing:version-detail", args=[notebook.pk, 7])
    assert client.get(url).status_code == 404


def test_download_returns_identical_bytes_as_attachment(client, alice, make_notebook):
    data = notebook_bytes(cells=4)
    notebook = make_notebook(alice, data=data, filename="Résumé report.ipynb")
    client.force_login(alice)
    response = client.get(reverse("sharing:version-download", args=[notebook.pk, 1]))
    body = b"".join(response.streaming_content)
    assert body == data
    assert hashlib.sha256(body).hexdigest() == notebook.latest_version.sha256
    assert response["Content-Disposition"].startswith("attachment;")
    assert "R%C3%A9sum%C3%A9%20report.ipynb" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_old_versions_stay_viewable(client, alice, make_notebook):
    notebook = make_notebook(alice)
    add_version(notebook, alice, Upload.from_bytes("v2.ipynb", notebook_bytes(cells=6)))
    client.force_login(alice)
    old = client.get(reverse("sharing:version-detail", args=[notebook.pk, 1]))
    assert old.status_code == 200
    assert "You are looking at version 1" in old.content.decode()
    latest = client.get(detail(notebook)).content.decode()
    assert "data-version-number>2<" in latest


def test_rename_changes_title(client, alice, make_notebook):
    notebook = make_notebook(alice)
    client.force_login(alice)
    url = reverse("sharing:notebook-rename", args=[notebook.pk])
    response = client.post(url, {"title": "Better name"})
    assert response.status_code == 302
    notebook.refresh_from_db()
    assert notebook.title == "Better name"


def test_rename_to_blank_is_refused(client, alice, make_notebook):
    notebook = make_notebook(alice, title="Original")
    client.force_login(alice)
    response = client.post(reverse("sharing:notebook-rename", args=[notebook.pk]), {"title": " "})
    assert response.status_code == 400
    notebook.refresh_from_db()
    assert notebook.title == "Original"


def test_delete_asks_for_confirmation_then_removes_files(
    client, alice, make_notebook, django_capture_on_commit_callbacks
):
    notebook = make_notebook(alice, title="Doomed")
    paths = [notebook.latest_version.original.path, notebook.latest_version.normalized.path]
    client.force_login(alice)
    url = reverse("sharing:notebook-delete", args=[notebook.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Delete “Doomed”?" in confirm.content.decode()
    assert Notebook.objects.filter(pk=notebook.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not Notebook.objects.filter(pk=notebook.pk).exists()
    assert NotebookVersion.objects.count() == 0
    assert not any(os.path.exists(p) for p in paths)


def test_delete_by_get_does_not_delete(client, alice, make_notebook):
    notebook = make_notebook(alice)
    client.force_login(alice)
    client.get(reverse("sharing:notebook-delete", args=[notebook.pk]))
    assert Notebook.objects.filter(pk=notebook.pk).exists()


def test_viewing_a_notebook_never_calls_nbconvert(client, alice, make_notebook, monkeypatch):
    notebook = make_notebook(alice)

    def tripwire(*args, **kwargs):
        raise AssertionError("a page view called the renderer")

    monkeypatch.setattr(nbconvert.HTMLExporter, "from_notebook_node", tripwire)
    monkeypatch.setattr(renderer, "render_notebook", tripwire)
    client.force_login(alice)
    assert client.get(detail(notebook)).status_code == 200
    version_url = reverse("sharing:version-detail", args=[notebook.pk, 1])
    assert client.get(version_url).status_code == 200


def test_renderer_upgrade_queues_a_render_instead_of_rendering_in_the_view(
    client, alice, make_notebook, monkeypatch
):
    notebook = make_notebook(alice)
    monkeypatch.setattr(renderer, "RENDERER_VERSION", "future")
    monkeypatch.setattr(
        renderer, "render_notebook", lambda nb: pytest.fail("rendered inside a view")
    )
    client.force_login(alice)
    response = client.get(detail(notebook))
    assert "Rendering…" in response.content.decode()
    job = Rendering.objects.get(renderer_version="future")
    assert job.status == "pending"


def test_dashboard_empty_state_points_to_upload(client, alice):
    client.force_login(alice)
    html = client.get(reverse("sharing:dashboard")).content.decode()
    assert "No notebooks yet" in html
    assert reverse("sharing:upload") in html


def test_dashboard_lists_only_my_notebooks_newest_first(client, alice, bob, make_notebook):
    make_notebook(alice, title="First")
    make_notebook(bob, title="Bobs secret")
    make_notebook(alice, title="Second")
    client.force_login(alice)
    html = client.get(reverse("sharing:dashboard")).content.decode()
    assert "Bobs secret" not in html
    assert html.index("Second") < html.index("First")


def test_dashboard_is_paginated(client, alice, make_notebook, settings):
    settings.NOTEBOOKS_PER_PAGE = 2
    for i in range(5):
        make_notebook(alice, title=f"Notebook {i}")
    client.force_login(alice)
    page3 = client.get(reverse("sharing:dashboard"), {"page": 3}).content.decode()
    assert "Page 3 of 3" in page3
    assert "Notebook 0" in page3


def test_dashboard_query_count_does_not_grow_with_notebooks(
    client, alice, make_notebook, django_assert_num_queries
):
    client.force_login(alice)
    make_notebook(alice)
    # session + person, count for the paginator, one page of notebooks with owner + latest
    # version and the person's grants (direct and through groups) on each row; the opening
    # activity (recent notices, shared with me, links opened) and the header's unread count.
    with django_assert_num_queries(7):
        client.get(reverse("sharing:dashboard"))
    for _ in range(15):
        make_notebook(alice)
    with django_assert_num_queries(7):
        client.get(reverse("sharing:dashboard"))


def test_notebook_page_query_count_does_not_grow_with_versions(
    client, alice, make_notebook, django_assert_num_queries
):
    notebook = make_notebook(alice)
    client.force_login(alice)
    first = _page_queries(client, notebook)
    for i in range(5):
        add_version(notebook, alice, Upload.from_bytes("v.ipynb", notebook_bytes(cells=i + 2)))
    assert _page_queries(client, notebook) == first


def _page_queries(client, notebook) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(detail(notebook)).status_code == 200
    return len(ctx.captured_queries)


def test_anonymous_visitors_are_sent_to_sign_in(client, alice, make_notebook):
    notebook = make_notebook(alice)
    response = client.get(detail(notebook))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_render_status_polling_reads_no_html(client, alice, make_notebook):
    notebook = make_notebook(alice)
    client.force_login(alice)
    url = reverse("sharing:render-status", args=[notebook.pk, 1])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.json() == {"status": "ready", "finished": True}
    rendering_reads = [q["sql"] for q in queries if "sharing_rendering" in q["sql"]]
    assert rendering_reads, "the status comes from the rendering row"
    assert not any('"html"' in sql or ".html" in sql for sql in rendering_reads)
