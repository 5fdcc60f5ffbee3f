"""A moderator's edit of a comment in the administration pages changes what readers see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sharing.admin import MODERATED_HTML
from sharing.comments.cells import version_cells
from sharing.comments.threads import start_thread
from sharing.models import Comment
from tests.comments.test_budget import SLOW_BODY, tight_budget
from tests.comments.test_threads import _notebook

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(alice, make_notebook):
    notebook = make_notebook(alice, data=_notebook(2), title="Moderated")
    version = notebook.latest_version
    comment, _ = start_thread(notebook, version, version_cells(version)["c1"], alice, "**rude**")
    return comment.thread


def _edit_in_admin(client, thread, body: str):
    url = reverse("admin:sharing_commentthread_change", args=[thread.pk])
    comment = thread.comments.get()
    data = {
        "notebook": thread.notebook_id,
        "version": thread.version_id,
        "cell_id": thread.cell_id,
        "cell_type": thread.cell_type,
        "source_sha256": thread.source_sha256,
        "excerpt": thread.excerpt,
        "created_by": thread.created_by_id,
        "resolved_by_name": "",
        "comments-TOTAL_FORMS": "1",
        "comments-INITIAL_FORMS": "1",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "comments-0-id": comment.pk,
        "comments-0-thread": thread.pk,
        "comments-0-body": body,
        "_save": "Save",
    }
    return client.post(url, data)


def test_an_admin_edit_renders_the_new_markdown(client, admin_user_, thread):
    client.force_login(admin_user_)
    response = _edit_in_admin(client, thread, "[removed by a moderator]")
    assert response.status_code == 302, response.content[:2000]
    comment = Comment.objects.get()
    assert comment.body == "[removed by a moderator]"
    assert "rude" not in comment.body_html
    assert "removed by a moderator" in comment.body_html
    assert comment.edited_at is not None


def test_an_admin_edit_past_the_budget_is_redacted(client, admin_user_, thread, settings):
    tight_budget(settings)
    client.force_login(admin_user_)
    response = _edit_in_admin(client, thread, SLOW_BODY)
    assert response.status_code == 302
    assert Comment.objects.get().body_html == MODERATED_HTML
