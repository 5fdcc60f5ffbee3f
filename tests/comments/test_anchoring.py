"""Threads follow their cells across re-uploads, and nothing is ever lost."""

from __future__ import annotations

import json

import nbformat
import pytest
from django.urls import reverse
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sharing.comments.cells import version_cells
from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.models import CommentThread, ThreadAnchor
from sharing.notebooks import add_version

pytestmark = pytest.mark.django_db


def _nb(cells: list[tuple[str, str]]) -> bytes:
    """nbformat 4.5 notebook of (cell id, code source) pairs."""
    nb = new_notebook()
    for cell_id, source in cells:
        cell = new_code_cell(source)
        cell.id = cell_id
        nb.cells.append(cell)
    return nbformat.writes(nb).encode()


def _nb44(sources: list[str]) -> bytes:
    """nbformat 4.4 notebook (no cell ids) with these markdown and code sources."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": sources[0]},
        *(
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": source,
            }
            for source in sources[1:]
        ),
    ]
    return json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": cells}).encode()


V1 = [
    ("intro", "# Churn model"),
    ("keep", "threshold = 0.5"),
    ("edit", "model.fit(X, y)"),
    ("gone", "plot(errors)"),
]


@pytest.fixture
def reviewed(client, alice, bob, make_notebook):
    """alice's notebook with bob's threads on an unchanged, an edited and a deleted cell."""
    notebook = make_notebook(alice, data=_nb(V1), title="Churn")
    set_user_role(notebook, bob, "commenter")
    client.force_login(bob)
    for cell_id in ("keep", "edit", "gone"):
        response = client.post(
            reverse("sharing:version-comments", args=[notebook.pk, 1]),
            {"cell_id": cell_id, "body": f"About {cell_id}"},
        )
        assert response.status_code == 201
    return notebook


def _upload(notebook, user, data: bytes):
    return add_version(notebook, user, Upload.from_bytes("next.ipynb", data))


def _by_body(client, notebook, number: int) -> dict[str, dict]:
    response = client.get(reverse("sharing:version-comments", args=[notebook.pk, number]))
    assert response.status_code == 200
    return {t["comments"][0]["body"]: t for t in response.json()["threads"]}


def test_unchanged_edited_and_deleted_cells_after_a_reupload(client, reviewed, alice):
    # GIVEN threads on three cells WHEN a version keeps one, edits one and deletes one
    _upload(
        reviewed,
        alice,
        _nb([("intro", "# Churn model"), ("keep", "threshold = 0.5"), ("edit", "model.fit(X)")]),
    )
    threads = _by_body(client, reviewed, 2)
    # THEN the unchanged cell's thread stays, not outdated
    assert threads["About keep"]["cell_id"] == "keep"
    assert threads["About keep"]["state"] == "current"
    # the edited cell's thread stays on it, marked outdated, with the original excerpt
    assert threads["About edit"]["cell_id"] == "edit"
    assert threads["About edit"]["state"] == "outdated"
    assert threads["About edit"]["excerpt"] == "model.fit(X, y)"
    # the deleted cell's thread is kept, under removed cells, with its excerpt
    assert threads["About gone"]["cell_id"] is None
    assert threads["About gone"]["state"] == "removed"
    assert threads["About gone"]["excerpt"] == "plot(errors)"
    assert threads["About gone"]["comments"][0]["html"] == "<p>About gone</p>\n"


def test_the_older_version_still_shows_threads_as_they_were_anchored(client, reviewed, alice):
    _upload(reviewed, alice, _nb([("keep", "threshold = 0.5")]))
    threads = _by_body(client, reviewed, 1)
    assert {body: (t["cell_id"], t["state"]) for body, t in threads.items()} == {
        "About keep": ("keep", "current"),
        "About edit": ("edit", "current"),
        "About gone": ("gone", "current"),
    }


def test_a_moved_cell_keeps_its_thread_at_its_new_place(client, reviewed, alice):
    _upload(reviewed, alice, _nb([*reversed(V1)]))
    threads = _by_body(client, reviewed, 2)
    assert threads["About keep"]["cell_index"] == 2
    assert threads["About keep"]["state"] == "current"
    assert threads["About gone"]["cell_index"] == 0


def test_a_cell_whose_id_changed_is_found_by_its_source(client, reviewed, alice):
    _upload(reviewed, alice, _nb([("new-id", "threshold = 0.5"), ("edit", "model.fit(X, y)")]))
    threads = _by_body(client, reviewed, 2)
    assert threads["About keep"]["cell_id"] == "new-id"
    assert threads["About keep"]["state"] == "current"


def test_a_removed_cell_that_comes_back_gets_its_thread_back(client, reviewed, alice):
    _upload(reviewed, alice, _nb([("keep", "threshold = 0.5")]))
    _upload(reviewed, alice, _nb(V1))
    threads = _by_body(client, reviewed, 3)
    assert threads["About gone"]["cell_id"] == "gone"
    assert threads["About gone"]["state"] == "current"


def test_nothing_is_lost_over_many_versions(client, reviewed, alice):
    _upload(reviewed, alice, _nb([]))
    _upload(reviewed, alice, _nb([("other", "print(1)")]))
    for number in (1, 2, 3):
        assert len(_by_body(client, reviewed, number)) == 3
    assert ThreadAnchor.objects.filter(version__number=3).count() == 3
    assert CommentThread.objects.count() == 3


def test_a_thread_started_on_a_later_version_is_not_shown_on_an_earlier_one(
    client, reviewed, alice
):
    _upload(reviewed, alice, _nb(V1))
    client.post(
        reverse("sharing:version-comments", args=[reviewed.pk, 2]),
        {"cell_id": "intro", "body": "Later"},
    )
    assert "Later" in _by_body(client, reviewed, 2)
    assert "Later" not in _by_body(client, reviewed, 1)
    assert _by_body(client, reviewed, 2)["Later"]["started_on_version"] == 2


def test_threads_on_a_notebook_without_cell_ids_keep_their_cell(client, alice, bob, make_notebook):
    # GIVEN an nbformat 4.4 notebook (no cell ids in the file)
    sources = ["# Title", "threshold = 0.5", "model.fit(X, y)"]
    notebook = make_notebook(alice, data=_nb44(sources), filename="old.ipynb")
    set_user_role(notebook, bob, "commenter")
    first_ids = [c.id for c in sorted(version_cells(notebook.latest_version).values(), key=_index)]
    client.force_login(bob)
    client.post(
        reverse("sharing:version-comments", args=[notebook.pk, 1]),
        {"cell_id": first_ids[1], "body": "Why 0.5?"},
    )
    # WHEN the same notebook, with a cell inserted before that one, is uploaded again
    version = _upload(notebook, alice, _nb44(["# Title", "import numpy", *sources[1:]]))
    # THEN the cells kept their ids (sharing.diff.identity), the inserted one got a new one,
    # and the thread is on its cell
    second = sorted(version_cells(version).values(), key=_index)
    assert [second[0].id, *(c.id for c in second[2:])] == first_ids
    assert second[1].id not in first_ids
    [thread] = _by_body(client, notebook, 2).values()
    assert thread["cell_id"] == second[2].id == first_ids[1]
    assert thread["cell_index"] == 2
    assert thread["state"] == "current"


def test_among_cells_with_the_same_source_the_same_type_then_the_nearest_wins(
    client, alice, bob, make_notebook
):
    nb = new_notebook()
    nb.cells = [new_markdown_cell("same"), new_code_cell("same"), new_code_cell("x")]
    notebook = make_notebook(alice, data=nbformat.writes(nb).encode())
    set_user_role(notebook, bob, "commenter")
    client.force_login(bob)
    client.post(
        reverse("sharing:version-comments", args=[notebook.pk, 1]),
        {"cell_id": nb.cells[1].id, "body": "second"},
    )
    again = new_notebook()
    again.cells = [
        new_code_cell("x"),
        new_markdown_cell("same"),
        new_code_cell("z"),
        new_code_cell("same"),
        new_code_cell("same"),
    ]
    _upload(notebook, alice, nbformat.writes(again).encode())
    [thread] = _by_body(client, notebook, 2).values()
    # index 1 is where it was but a markdown cell; of the code cells, index 3 is the nearest
    assert thread["cell_index"] == 3
    assert thread["state"] == "current"


def _index(cell) -> int:
    return cell.index
