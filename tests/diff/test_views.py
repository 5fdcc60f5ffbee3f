"""The compare page: bad input, reversed ranges, links from the notebook page, progress."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sharing.diff.jobs import diff_for
from sharing.ingest import Upload
from sharing.notebooks import add_version
from tests.conftest import notebook_bytes

pytestmark = pytest.mark.django_db


def url(notebook, spec: str) -> str:
    return reverse("sharing:notebook-compare", args=[notebook.pk, spec])


def test_compare_page_shows_each_kind_of_change(client, alice, two_versions):
    client.force_login(alice)
    response = client.get(url(two_versions, "1...2"))
    assert response.status_code == 200
    page = response.content.decode()
    summary = re.sub(r"\s+", " ", re.search(r"data-diff-summary>(.*?)</p>", page, re.S)[1])
    assert "3 modified</strong>, <strong>1 added</strong>, <strong>1 removed</strong>" in summary
    assert "1 moved" in summary
    assert "outputs changed in 2 cells" in summary  # the data cell and the plot
    for status in ("nd-modified", "nd-added", "nd-removed", "nd-moved"):
        assert f"nd-row {status}" in page
    assert '<details class="nd-run' in page  # the unchanged cells at the end are folded
    assert "<ins>fourth</ins>" in page and "<del>third</del>" in page  # intra-line highlight


def test_bad_pairs_are_400_with_a_message(client, alice, two_versions):
    client.force_login(alice)
    for spec, words in [
        ("1..2", "is not a pair of versions"),
        ("a...b", "is not a pair of versions"),
        ("1...2...3", "is not a pair of versions"),
        ("-1...2", "is not a pair of versions"),
        ("2...2", "choose two different versions"),
        ("0...2", "Version numbers start at 1"),
        ("1" * 12 + "...2", "is not a pair of versions"),
    ]:
        response = client.get(url(two_versions, spec))
        assert response.status_code == 400, spec
        assert words in response.content.decode(), spec


def test_unknown_versions_and_other_notebooks_versions_are_404(
    client, alice, two_versions, make_notebook
):
    other = make_notebook(alice, notebook_bytes(cells=2), title="Other")
    add_version(other, alice, Upload.from_bytes("o.ipynb", notebook_bytes(cells=3)))
    add_version(other, alice, Upload.from_bytes("o.ipynb", notebook_bytes(cells=4)))
    client.force_login(alice)
    assert client.get(url(two_versions, "1...3")).status_code == 404  # 3 is the other's only
    assert client.get(url(two_versions, "7...1")).status_code == 404
    assert client.get(url(two_versions, "999999999...1")).status_code == 404


def test_reversed_range_is_shown_as_asked_with_a_way_back(client, alice, two_versions):
    client.force_login(alice)
    response = client.get(url(two_versions, "2...1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-reversed" in page
    assert f'href="{url(two_versions, "1...2")}"' in page
    assert "1 added" in page and "1 removed" in page  # the added and removed swap


def test_picker_redirects_and_refuses_bad_input(client, alice, two_versions):
    client.force_login(alice)
    pick = reverse("sharing:notebook-compare-pick", args=[two_versions.pk])
    response = client.get(pick, {"from": "1", "to": "2"})
    assert response.status_code == 302 and response.url == url(two_versions, "1...2")
    for params in ({"from": "x", "to": "2"}, {}, {"from": "2", "to": "2"}, {"from": "1"}):
        response = client.get(pick, params)
        assert response.status_code == 400, params
        assert "data-compare-error" in response.content.decode()


def test_notebook_page_links_to_the_changes_since_the_previous_version(client, alice, two_versions):
    client.force_login(alice)
    page = client.get(two_versions.get_absolute_url()).content.decode()
    assert f'href="{url(two_versions, "1...2")}" data-changes-link' in page
    assert "Changes since version 1" in page
    assert reverse("sharing:notebook-compare-pick", args=[two_versions.pk]) in page
    first = client.get(reverse("sharing:version-detail", args=[two_versions.pk, 1]))
    assert "data-changes-link" not in first.content.decode()


def test_comparison_is_computed_once_and_shared_by_equal_contents(
    client, alice, two_versions, make_notebook
):
    client.force_login(alice)
    client.get(url(two_versions, "1...2"))
    versions = {v.number: v for v in two_versions.versions.all()}
    job = diff_for(versions[1], versions[2])
    assert job is not None and job.status == "ready"
    # Another notebook with the same two contents reuses the same comparison.
    copy = make_notebook(alice, versions[1].normalized.read(), title="Copy")
    add_version(copy, alice, Upload.from_bytes("c.ipynb", versions[2].normalized.read()))
    copies = {v.number: v for v in copy.versions.all()}
    assert diff_for(copies[1], copies[2]).pk == job.pk


def test_status_endpoint_reports_the_job(client, alice, two_versions):
    client.force_login(alice)
    status = reverse("sharing:notebook-compare-status", args=[two_versions.pk, "1...2"])
    client.get(url(two_versions, "1...2"))
    assert client.get(status).json() == {"status": "ready", "finished": True, "progress": 100}
    bad = reverse("sharing:notebook-compare-status", args=[two_versions.pk, "x"])
    assert client.get(bad).status_code == 400
