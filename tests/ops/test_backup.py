"""Backup, restore into empty stores, and verify_storage."""

from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from sharing.comments import threads
from sharing.comments.cells import version_cells
from sharing.grants import set_user_role
from sharing.ingest import Upload
from sharing.models import Comment, NotebookVersion
from sharing.notebooks import add_version
from sharing.ops.integrity import sha256_of
from tests.conftest import notebook_bytes
from tests.ops.services import manage, postgres_database, production_env

pytestmark = pytest.mark.django_db

# Printed by the restored site: what every version downloads as, every comment, every grant.
SITE_STATE = """
import json
from sharing.models import Comment, NotebookVersion, NotebookUserObjectPermission
from sharing.ops.integrity import sha256_of
print(json.dumps({
    "files": sorted((v.notebook.title, v.number, sha256_of(v.original.name))
                    for v in NotebookVersion.objects.select_related("notebook")),
    "comments": sorted((c.author.username, c.body) for c in Comment.objects.all()),
    "grants": sorted(NotebookUserObjectPermission.objects.values_list(
        "content_object__title", "user__username", "permission__codename")),
}))
"""


def site_state() -> dict:
    from sharing.models import NotebookUserObjectPermission

    versions = NotebookVersion.objects.select_related("notebook")
    return json.loads(
        json.dumps(
            {
                "files": sorted(
                    (v.notebook.title, v.number, sha256_of(v.original.name)) for v in versions
                ),
                "comments": sorted((c.author.username, c.body) for c in Comment.objects.all()),
                "grants": sorted(
                    NotebookUserObjectPermission.objects.values_list(
                        "content_object__title", "user__username", "permission__codename"
                    )
                ),
            }
        )
    )


@pytest.fixture
def site(alice, bob, make_notebook):
    first = make_notebook(alice, title="Churn")
    add_version(first, alice, Upload.from_bytes("b.ipynb", notebook_bytes(cells=6)))
    make_notebook(bob, data=notebook_bytes(cells=2, title="Other"), title="Bob's")
    set_user_role(first, bob, "commenter")
    version = first.versions.get(number=2)
    cell = next(iter(version_cells(version).values()))
    first_comment, _ = threads.start_thread(first, version, cell, bob, "Which data?")
    thread = first_comment.thread
    threads.reply(thread, alice, "The **March** extract.")
    return site_state()


def test_backup_writes_a_manifest_of_every_file(site, tmp_path, capsys):
    call_command("backup", str(tmp_path / "b"))
    assert "Backed up 2 notebooks and 6 files" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert set(manifest["files"]) == {
        name for v in NotebookVersion.objects.all() for name in (v.original.name, v.normalized.name)
    }
    call_command("restore", str(tmp_path / "b"), "--check")


def test_damaged_backup_is_refused_before_anything_changes(site, tmp_path):
    call_command("backup", str(tmp_path / "b"))
    victim = next((tmp_path / "b" / "files").rglob("original.ipynb"))
    victim.write_bytes(victim.read_bytes() + b" ")
    with pytest.raises(CommandError, match="does not match its SHA-256"):
        call_command("restore", str(tmp_path / "b"), "--check")


def test_restore_refuses_a_database_that_is_not_empty(site, tmp_path):
    call_command("backup", str(tmp_path / "b"))
    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("restore", str(tmp_path / "b"))


def test_backup_refuses_a_folder_that_is_not_empty(site, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x").write_text("x")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", str(tmp_path / "b"))


@pytest.mark.cluster
@pytest.mark.parametrize("target", ["sqlite-disk", "postgres-s3"])
def test_restore_into_empty_stores_gives_the_same_site(site, tmp_path, target, request):
    call_command("backup", str(tmp_path / "b"))
    if target == "sqlite-disk":
        env = production_env(
            DATABASE_URL=f"sqlite:///{tmp_path / 'restored.sqlite3'}",
            MEDIA_ROOT=str(tmp_path / "restored-media"),
        )
        restored = _restore(env, tmp_path)
    else:
        weed = request.getfixturevalue("weed")
        with postgres_database() as url:
            env = production_env(DATABASE_URL=url, **weed.env(weed.new_bucket()))
            restored = _restore(env, tmp_path)
    assert restored == site
    assert restored["comments"] == [["alice", "The **March** extract."], ["bob", "Which data?"]]


def _restore(env: dict, tmp_path) -> dict:
    manage(env, "migrate", "--noinput")
    out = manage(env, "restore", str(tmp_path / "b")).stdout
    assert "Restored 2 notebooks and 6 files" in out
    assert "match their SHA-256" in manage(env, "verify_storage").stdout
    return json.loads(manage(env, "shell", "--no-imports", "-c", SITE_STATE).stdout)


def test_verify_storage_reports_missing_and_changed_files(alice, make_notebook, capsys):
    broken = make_notebook(alice, title="Broken").latest_version
    changed = make_notebook(alice, data=notebook_bytes(cells=4), title="Changed").latest_version
    make_notebook(alice, data=notebook_bytes(cells=5), title="Fine")
    default_storage.delete(broken.original.name)
    default_storage.delete(changed.original.name)
    default_storage.save(changed.original.name, ContentFile(b"{}"))
    with pytest.raises(CommandError, match="2 stored files missing or damaged"):
        call_command("verify_storage")
    out = capsys.readouterr().out
    assert f"notebook {broken.notebook_id} version 1: {broken.original.name} is missing" in out
    assert f"{changed.original.name} does not match its SHA-256" in out
    assert "Fine" not in out


def test_verify_storage_lists_and_deletes_unreferenced_files(alice, make_notebook, capsys):
    make_notebook(alice)
    default_storage.save("notebooks/abandoned/original.ipynb", ContentFile(b"{}"))
    call_command("verify_storage", "--orphans")
    assert "unreferenced file: notebooks/abandoned/original.ipynb" in capsys.readouterr().out
    call_command("verify_storage", "--delete-orphans")
    assert not default_storage.exists("notebooks/abandoned/original.ipynb")
    call_command("verify_storage", "--orphans")
    assert "0 unreferenced files." in capsys.readouterr().out
