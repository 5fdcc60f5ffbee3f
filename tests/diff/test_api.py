"""GET /api/v1/notebooks/{id}/diff: the comparison as JSON, bad input, background pairs."""

from __future__ import annotations

import pytest

from sharing.api import api
from sharing.ingest import Upload
from sharing.models import VersionDiff
from sharing.notebooks import add_version
from tests.api.support import API, fresh_rate_limits, token_for  # noqa: F401
from tests.diff.conftest import as_bytes, mixed_pair

pytestmark = pytest.mark.django_db


def get(client, user, notebook, **params):
    headers = {"Authorization": f"Bearer {token_for(user)}"}
    return client.get(f"{API}/notebooks/{notebook.pk}/diff", params, headers=headers)


def test_diff_lists_every_cell_with_status_ids_and_changed_parts(client, alice, two_versions):
    response = get(client, alice, two_versions, **{"from": "1", "to": "2"})
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ready" and data["from_version"] == 1 and data["to_version"] == 2
    assert data["html_url"].endswith(f"/n/{two_versions.pk}/compare/1...2/")
    statuses = [
        (c["status"], c["old"] and c["old"]["index"], c["new"] and c["new"]["index"])
        for c in data["cells"]
    ]
    assert statuses == [
        ("modified", 0, 0),
        ("moved", 4, 1),
        ("unchanged", 1, 2),
        ("modified", 2, 3),
        ("modified", 3, 4),
        ("removed", 5, None),
        ("unchanged", 6, 5),
        ("unchanged", 7, 6),
        ("unchanged", 8, 7),
        ("added", None, 8),
    ]
    by_new = {c["new"]["index"]: c for c in data["cells"] if c["new"]}
    assert by_new[3]["changes"] == ["source", "outputs", "execution_count"]
    assert by_new[4]["changes"] == ["outputs", "execution_count"]  # the image changed
    assert by_new[2]["changes"] == ["execution_count"]  # hidden noise: still unchanged
    assert by_new[3]["old"]["id"] == by_new[3]["new"]["id"]
    assert data["summary"] == {
        "modified": 3,
        "added": 1,
        "removed": 1,
        "moved": 1,
        "unchanged": 4,
        "outputs_changed": 2,
        "metadata_only": 1,
    }


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"from": "x", "to": "2"}, 400, "bad_version"),
        ({"from": "1", "to": "2.0"}, 400, "bad_version"),
        ({"from": "-1", "to": "2"}, 400, "bad_version"),
        ({"from": "2", "to": "2"}, 400, "bad_comparison"),
        ({"from": "0", "to": "2"}, 400, "bad_comparison"),
        ({"from": "1", "to": "3"}, 404, "not_found"),
        ({"from": "1", "to": "9" * 15}, 404, "not_found"),
        ({"to": "2"}, 422, "invalid_request"),
    ],
)
def test_bad_input_gets_a_clear_error(client, alice, two_versions, params, status, code):
    response = get(client, alice, two_versions, **params)
    assert response.status_code == status
    body = response.json()
    assert body["detail"] and body["code"] == code


def test_reversed_range_is_answered_as_asked(client, alice, two_versions):
    data = get(client, alice, two_versions, **{"from": "2", "to": "1"}).json()
    assert data["from_version"] == 2 and data["summary"]["added"] == 1
    added = [c for c in data["cells"] if c["status"] == "added"]
    assert added[0]["new"]["cell_type"] == "code" and added[0]["new"]["index"] == 5


def test_big_pair_is_accepted_for_the_worker_with_its_progress(
    client, alice, two_versions, settings, django_capture_on_commit_callbacks
):
    settings.RENDER_ASYNC_CELLS = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = get(client, alice, two_versions, **{"from": "1", "to": "2"})
    assert response.status_code == 202
    data = response.json()
    assert data["status"] == "pending" and data["cells"] == [] and data["progress"] == 0
    job = VersionDiff.objects.get()
    assert job.status == "pending"


def test_failed_comparison_says_why(client, alice, two_versions):
    get(client, alice, two_versions, **{"from": "1", "to": "2"})
    VersionDiff.objects.update(status="failed", error="Comparing took longer than 1 seconds.")
    data = get(client, alice, two_versions, **{"from": "1", "to": "2"}).json()
    assert data["status"] == "failed" and "longer than" in data["error"]


def test_diff_operation_is_in_the_openapi_document():
    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/notebooks/{notebook_id}/diff"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"notebook_id", "from", "to"} <= names
    assert {200, 202, 400, 404} <= {int(status) for status in operation["responses"]}


def test_identical_outputs_rerun_are_only_an_execution_count_change(client, alice, make_notebook):
    old, _ = mixed_pair()
    notebook = make_notebook(alice, as_bytes(old))
    for cell in old.cells:
        if cell.cell_type == "code":
            cell.execution_count = (cell.execution_count or 0) + 10
    add_version(notebook, alice, Upload.from_bytes("a.ipynb", as_bytes(old)))
    data = get(client, alice, notebook, **{"from": "1", "to": "2"}).json()
    assert {c["status"] for c in data["cells"]} == {"unchanged"}
    assert data["summary"]["metadata_only"] == 7
