"""What a person sees when the file store is unreachable: a clear message, nothing stored."""

from __future__ import annotations

import pytest

from notebookshare.storage import s3_storage
from sharing.models import Notebook
from tests.conftest import PASSWORD, notebook_bytes
from tests.e2e.conftest import screenshot, sign_in
from tests.ops.services import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def store_unreachable(settings):
    """An S3 endpoint on a loopback port where nothing listens."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            "nowhere",
            endpoint_url=f"http://127.0.0.1:{free_port()}",
            connect_timeout=1,
            access_key="k",
            secret_key="s",
        ),
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_upload_while_the_store_is_down_says_so_and_stores_nothing(
    new_page, alice, store_unreachable, tmp_path, scheme
):
    page = new_page(color_scheme=scheme)
    sign_in(page, "alice", PASSWORD)
    path = tmp_path / "analysis.ipynb"
    path.write_bytes(notebook_bytes())
    page.goto("/upload/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Upload").click()
    message = page.locator("[data-upload-errors]").get_by_text("cannot be reached right now")
    message.wait_for(timeout=60_000)
    assert "nothing was stored" in message.inner_text()
    screenshot(page, f"upload-store-down-{scheme}")
    assert not Notebook.objects.exists()


def test_upload_without_javascript_gets_the_outage_page(
    new_page, alice, store_unreachable, tmp_path
):
    page = new_page(java_script_enabled=False)
    sign_in(page, "alice", PASSWORD)
    path = tmp_path / "analysis.ipynb"
    path.write_bytes(notebook_bytes())
    page.goto("/upload/")
    page.set_input_files("input[type=file]", str(path))
    with page.expect_response(
        lambda r: r.url.endswith("/upload/") and r.request.method == "POST"
    ) as info:
        page.get_by_role("button", name="Upload").click()
    assert info.value.status == 503
    assert page.get_by_role("heading", name="Temporarily unavailable").is_visible()
    screenshot(page, "upload-store-down-no-js")
    assert not Notebook.objects.exists()
