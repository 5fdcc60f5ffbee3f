"""One SeaweedFS for the operations tests; each test gets its own bucket."""

from __future__ import annotations

import pytest

from notebookshare.storage import s3_storage
from tests.ops.services import S3_KEY, S3_SECRET, Weed


@pytest.fixture(scope="session")
def weed(tmp_path_factory):
    server = Weed(tmp_path_factory.mktemp("weed"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def bucket(weed) -> str:
    return weed.new_bucket()


@pytest.fixture
def s3_settings(settings, weed, bucket):
    """This test's uploads go to its own bucket on the real S3 server."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket,
            endpoint_url=weed.endpoint,
            connect_timeout=1,
            access_key=S3_KEY,
            secret_key=S3_SECRET,
        ),
    }
    return settings
