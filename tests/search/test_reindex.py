"""manage.py reindex: rows of an older tokeniser version are rebuilt, with a progress bar."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from sharing.search.models import SearchEntry
from sharing.search.tokens import INDEX_VERSION
from tests.search.conftest import found

pytestmark = pytest.mark.django_db


def _reindex(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("reindex", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_reindex_rebuilds_rows_of_an_older_index_version(every_part, alice, make_notebook):
    current = make_notebook(alice, title="Current walrus")
    SearchEntry.objects.filter(notebook=every_part).update(index_version=INDEX_VERSION - 1)
    untouched = set(SearchEntry.objects.filter(notebook=current).values_list("pk", flat=True))
    out, err = _reindex()
    assert "Reindexed 1 notebook" in out
    assert "1/1" in err and "100%" in err  # the progress bar
    assert set(SearchEntry.objects.filter(notebook=current).values_list("pk", flat=True)) == (
        untouched
    )
    assert not SearchEntry.objects.exclude(index_version=INDEX_VERSION).exists()
    assert found(alice, "marmalade") == [(every_part.pk, "markdown", "md-cell")]


def test_reindex_all_restores_a_lost_index(every_part, alice):
    SearchEntry.objects.all().delete()
    assert found(alice, "walrus") == []
    out, _err = _reindex("--all", "--no-progress")
    assert "Reindexed 1 notebook" in out
    assert found(alice, "walrus") == [(every_part.pk, "output", "code-cell")]
    assert found(alice, "armadillo") == [(every_part.pk, "title", "")]
