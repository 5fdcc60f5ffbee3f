"""/healthz and /readyz: cheap, unauthenticated, no details."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_checks_database_migrations_and_storage(client, tmp_media):
    tmp_media.mkdir(parents=True)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert len(queries) <= 3  # SELECT 1 and, once per process, the applied migrations


def test_readyz_is_ready_on_a_new_install_without_an_upload_folder_yet(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert (tmp_path / "media").is_dir()


def test_readyz_says_unavailable_without_details_when_storage_is_gone(client, settings, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "no-such-folder"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert b"folder" not in response.content


def test_probes_answer_any_host_over_plain_http(client, settings, tmp_media):
    """The load balancer probes with its own Host header and without HTTPS."""
    tmp_media.mkdir(parents=True)
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["notebooks.example.com"]
    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400  # everything else


def test_probes_need_no_sign_in_and_refuse_writes(client):
    assert client.get("/healthz").status_code == 200
    assert client.post("/healthz").status_code in (403, 404, 405)


def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz")
    assert len(response["X-Request-ID"]) == 32
    passed_on = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-abc-123456")
    assert passed_on["X-Request-ID"] == "proxy-abc-123456"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\r\nSet-Cookie: x")
    assert forged["X-Request-ID"] != "bad id\r\nSet-Cookie: x"
