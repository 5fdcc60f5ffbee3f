"""Upload in the browser: the progress bar only while sending, reset after an error; an
identical re-upload; a version note; several files at once, each with its own result."""

from __future__ import annotations

import pytest

from sharing.models import Notebook
from tests.conftest import PASSWORD, notebook_bytes
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1400, "height": 900}


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_bar_is_hidden_until_sending_and_reset_after_an_error(new_page, alice, tmp_path):
    page = new_page()
    sign_in(page, "alice", PASSWORD)
    page.goto("/upload/")
    progress = page.locator("[data-progress]")
    assert progress.is_hidden()
    screenshot(page, "upload-before-choosing")
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"nbformat": 4')
    page.set_input_files("input[type=file]", str(broken))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.locator("[data-upload-errors] .field-error").wait_for()
    assert progress.is_hidden()
    assert page.locator("[data-progress-bar]").evaluate("bar => bar.value") == 0
    assert page.get_by_text("Processing…").count() == 0
    assert page.get_by_role("button", name="Upload", exact=True).is_enabled()
    for name, size in {"wide": WIDE, "phone": PHONE}.items():
        page.set_viewport_size(size)
        assert fits(page), name
        screenshot(page, f"upload-error-reset-{name}")


def test_identical_reupload_and_a_version_note(new_page, alice, make_notebook, tmp_path):
    data = notebook_bytes(3)
    notebook = make_notebook(alice, data=data, title="Churn")
    page = new_page()
    sign_in(page, "alice", PASSWORD)
    same = tmp_path / "same.ipynb"
    same.write_bytes(data)
    page.goto(f"/n/{notebook.pk}/upload/")
    page.set_input_files("input[type=file]", str(same))
    page.get_by_role("button", name="Upload new version").click()
    page.get_by_text("Identical to version 1: no new version was made.").wait_for()
    assert notebook.versions.count() == 1
    screenshot(page, "upload-identical")

    changed = tmp_path / "changed.ipynb"
    changed.write_bytes(notebook_bytes(5))
    page.goto(f"/n/{notebook.pk}/upload/")
    page.set_input_files("input[type=file]", str(changed))
    page.get_by_label("What changed").fill("Two more runs of the model")
    page.get_by_role("button", name="Upload new version").click()
    page.get_by_text("Uploaded version 2.").wait_for()
    page.locator(".versions [data-version-note]").get_by_text("Two more runs").wait_for()
    screenshot(page, "version-note-list")
    page.get_by_role("link", name="Changes since version 1").click()
    page.locator("[data-version-notes]").get_by_text("Two more runs of the model").wait_for()
    for name, size in {"wide": WIDE, "phone": PHONE}.items():
        page.set_viewport_size(size)
        screenshot(page, f"version-note-diff-{name}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_several_files_each_become_a_notebook_or_say_what_is_wrong(
    new_page, alice, tmp_path, scheme
):
    files = []
    for i in range(2):
        path = tmp_path / f"part{i}.ipynb"
        path.write_bytes(notebook_bytes(2, title=f"Part {i}"))
        files.append(str(path))
    bad = tmp_path / "notes.txt"
    bad.write_text("not a notebook")
    files.append(str(bad))
    page = new_page(color_scheme=scheme)
    page.set_viewport_size(PHONE if scheme == "dark" else WIDE)
    sign_in(page, "alice", PASSWORD)
    page.goto("/upload/")
    page.set_input_files("input[type=file]", files)
    page.get_by_text("3 files: part0.ipynb, part1.ipynb, notes.txt").wait_for()
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("Uploaded 2 of 3; the others are listed with what is wrong.").wait_for()
    items = page.locator("[data-upload-result]")
    assert items.count() == 3
    assert page.locator(".upload-item.ok").count() == 2
    failed = page.locator(".upload-item.failed")
    assert "Only Jupyter notebooks (.ipynb files) can be uploaded." in failed.inner_text()
    assert sorted(Notebook.objects.values_list("title", flat=True)) == ["Part 0", "Part 1"]
    assert fits(page)
    screenshot(page, f"upload-several-{scheme}")
    page.locator(".upload-item.ok a").first.click()
    page.get_by_role("heading", name="Part 0").wait_for()
