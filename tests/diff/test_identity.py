"""Cells of id-less notebooks keep their ids from one version to the next."""

from __future__ import annotations

import json

import nbformat
import pytest
from django.urls import reverse
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sharing.comments.cells import version_cells
from sharing.comments.threads import start_thread
from sharing.ingest import Upload, validate_notebook
from sharing.models import ThreadAnchor
from sharing.notebooks import add_version
from tests.api.support import fresh_rate_limits, token_for  # noqa: F401
from tests.diff.conftest import as_bytes, as_v44, thirty_cells

pytestmark = pytest.mark.django_db


def ids(version) -> list[str]:
    return [c.id for c in sorted(version_cells(version).values(), key=lambda c: c.index)]


def test_ingest_records_which_ids_it_minted():
    nb = thirty_cells()
    assert validate_notebook(as_bytes(nb), "a.ipynb").minted_ids == frozenset()
    old = validate_notebook(as_v44(nb), "a.ipynb")
    assert old.minted_ids == {cell.id for cell in old.notebook.cells}
    partly = json.loads(nbformat.writes(nb))
    del partly["cells"][3]["id"]
    partly["cells"][5]["id"] = partly["cells"][4]["id"]  # a duplicate gets a new id
    validated = validate_notebook(json.dumps(partly).encode(), "a.ipynb")
    minted = [c.id for c in validated.notebook.cells if c.id in validated.minted_ids]
    assert len(minted) == 2
    assert validated.notebook.cells[4].id == nb.cells[4].id


def test_acceptance_one_edit_in_an_id_less_notebook_keeps_thread_and_ids(
    client, alice, make_notebook
):
    # GIVEN a 30-cell nbformat 4.4 notebook (no ids in the file) and a thread on cell 5
    nb = thirty_cells()
    notebook = make_notebook(alice, as_v44(nb), filename="thirty.ipynb")
    first = notebook.latest_version
    cell5 = version_cells(first)[ids(first)[4]]
    comment, _ = start_thread(notebook, first, cell5, alice, "Why times two?")
    # WHEN a new version arrives with only cell 20 edited, still without ids
    nb.cells[19].source = "step_19 = 19 * 3  # tripled\nprint(step_19)"
    second = add_version(notebook, alice, Upload.from_bytes("thirty.ipynb", as_v44(nb)))
    # THEN every cell kept its id, and the thread is current on the same cell
    assert ids(second) == ids(first)
    anchor = ThreadAnchor.objects.get(thread=comment.thread, version=second)
    assert (anchor.state, anchor.cell_id) == ("current", cell5.id)
    # AND the compare page and the JSON show exactly one modified cell, cell 20
    client.force_login(alice)
    page = client.get(reverse("sharing:notebook-compare", args=[notebook.pk, "1...2"]))
    assert page.content.decode().count("nd-row nd-modified") == 1
    token = token_for(alice)
    response = client.get(
        f"/api/v1/notebooks/{notebook.pk}/diff",
        {"from": 1, "to": 2},
        headers={"Authorization": f"Bearer {token}"},
    )
    data = response.json()
    assert response.status_code == 200
    modified = [c for c in data["cells"] if c["status"] != "unchanged"]
    assert len(modified) == 1
    assert modified[0]["new"] == {"id": ids(first)[19], "index": 19, "cell_type": "code"}
    assert modified[0]["old"]["id"] == modified[0]["new"]["id"]
    assert modified[0]["changes"] == ["source"]
    assert data["summary"]["modified"] == 1 and data["summary"]["unchanged"] == 29


def test_edited_moved_added_and_removed_cells_without_ids(alice, make_notebook):
    nb = thirty_cells()
    notebook = make_notebook(alice, as_v44(nb))
    before = ids(notebook.latest_version)
    cells = list(nb.cells)
    cells[10].source += "\n# reviewed"
    moved = cells.pop(3)
    cells.insert(25, moved)
    del cells[15]
    cells.insert(0, new_markdown_cell("Brand new introduction"))
    nb.cells = cells
    second = add_version(notebook, alice, Upload.from_bytes("a.ipynb", as_v44(nb)))
    after = ids(second)
    assert after[0] not in before  # the genuinely new cell has a new id
    kept = [i for i in range(1, 30) if i != 16]  # cell 16 (old index 16) was removed
    expected = [before[i] for i in range(30) if i not in (3, 16)]
    expected.insert(24, before[3])
    assert after[1:] == expected
    assert len(set(after)) == len(after)
    assert before[16] not in after and len(kept) == 28


def test_ids_written_in_the_file_are_always_kept(alice, make_notebook):
    nb = new_notebook(cells=[new_code_cell("a = 1"), new_code_cell("b = 2")])
    notebook = make_notebook(alice, as_bytes(nb))
    old_ids = ids(notebook.latest_version)
    # The new file swaps the ids around: they are the file's, so they stay as written.
    nb.cells[0].id, nb.cells[1].id = old_ids[1], old_ids[0]
    second = add_version(notebook, alice, Upload.from_bytes("a.ipynb", as_bytes(nb)))
    assert ids(second) == [old_ids[1], old_ids[0]]


def test_an_inherited_id_never_takes_an_id_the_file_uses(alice, make_notebook):
    nb = new_notebook(cells=[new_code_cell("a = 1"), new_code_cell("b = 2")])
    notebook = make_notebook(alice, as_v44(nb))
    old_ids = ids(notebook.latest_version)
    # A 4.5 file where the first cell has no id and the second uses the first cell's old id.
    data = json.loads(nbformat.writes(nb))
    del data["cells"][0]["id"]
    data["cells"][1]["id"] = old_ids[0]
    second = add_version(notebook, alice, Upload.from_bytes("a.ipynb", json.dumps(data).encode()))
    new_ids = ids(second)
    assert new_ids[1] == old_ids[0]
    assert new_ids[0] != old_ids[0] and len(set(new_ids)) == 2


def test_the_stored_notebook_carries_the_inherited_ids(alice, make_notebook):
    nb = thirty_cells()
    notebook = make_notebook(alice, as_v44(nb))
    second = add_version(notebook, alice, Upload.from_bytes("a.ipynb", as_v44(nb)))
    stored = nbformat.reads(second.normalized.read().decode(), 4)
    assert [c.id for c in stored.cells] == ids(notebook.versions.get(number=1))
    # Same content as version 1 now: one rendering and the same hash serve both.
    assert second.content_sha256 == notebook.versions.get(number=1).content_sha256


def test_past_its_budget_matching_is_skipped_and_the_upload_still_lands(
    alice, make_notebook, settings
):
    # 2,000 cells: reading and matching them takes far longer than the budget below allows
    # and needs memory beyond what the interpreter already holds (a parent that comes back late
    # to an answer that is already there would otherwise accept it).
    nb = new_notebook(cells=[new_code_cell(f"step_{i} = {i} * 2") for i in range(2_000)])
    notebook = make_notebook(alice, as_v44(nb))
    upload = Upload.from_bytes("a.ipynb", as_v44(nb))  # checked within the usual budget
    settings.UPLOAD_CHECK_SECONDS = 0.001  # no time left for matching cells
    settings.UPLOAD_CHECK_MEMORY_MB = 0  # nor memory
    second = add_version(notebook, alice, upload)
    assert second.number == 2
    assert set(ids(second)).isdisjoint(ids(notebook.versions.get(number=1)))
