"""Where uploaded files live, and what people see when a store or the database is away.

Files go through Django's ``default_storage``: the local disk (``AtomicFileSystemStorage``) or
an S3-compatible bucket (django-storages' ``S3Storage``, configured in settings). This module
adds what both need in production: files written whole or not at all, downloads streamed
from the store in chunks, and outages answered with 503 (store or database unreachable) or
507 (disk full) instead of a crash page.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg_pool
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File, locks
from django.core.files.storage import FileSystemStorage, storages
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

logger = logging.getLogger(__name__)

DOWNLOAD_CHUNK_BYTES = 256 * 1024
# What reading or writing a stored file raises when the store is away or the disk is full.
STORE_ERRORS = (BotoCoreError, ClientError, OSError)


class AtomicFileSystemStorage(FileSystemStorage):
    """The local disk, where a file appears whole or not at all.

    Django's ``FileSystemStorage`` writes straight to the final name, so a full disk or a
    killed process leaves a truncated file under a name that looks valid. Here the bytes go
    to a temporary file in the same folder first, which is linked to its name only once
    complete (``os.link`` never replaces an existing file) and removed on any failure.
    """

    def _save(self, name: str, content: File) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as handle:
                locks.lock(handle, locks.LOCK_EX)
                for chunk in content.chunks():
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            while True:
                try:
                    os.link(temporary, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            os.unlink(temporary)  # the name (if linked) keeps the bytes
        return str(name).replace("\\", "/")


def open_stream(name: str):
    """A file-like object reading ``name`` from the store in chunks, never whole in memory."""
    storage = storages["default"]
    if isinstance(storage, S3Storage):
        key = storage._normalize_name(clean_name(name))
        return storage.bucket.Object(key).get()["Body"]
    return storage.open(name, "rb")


def iter_file(name: str) -> Iterator[bytes]:
    with open_stream(name) as handle:
        while chunk := handle.read(DOWNLOAD_CHUNK_BYTES):
            yield chunk


def store_is_reachable() -> bool:
    """Whether the file store answers: the bucket exists, or the media folder is writable."""
    storage = storages["default"]
    try:
        if isinstance(storage, S3Storage):
            storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
            return True
        location = storage.location
        os.makedirs(location, exist_ok=True)  # a new install has no upload yet
        return os.path.isdir(location) and os.access(location, os.W_OK)
    except STORE_ERRORS:
        logger.warning("The file store is not reachable", exc_info=True)
        return False


@dataclass(frozen=True)
class Outage:
    status: int
    code: str
    message: str


STORE_DOWN = Outage(
    503,
    "storage_unavailable",
    "The file store cannot be reached right now, so nothing was stored. "
    "Please try again in a minute.",
)
DISK_FULL = Outage(
    507,
    "insufficient_storage",
    "The server has no space left to store files, so nothing was stored. "
    "Please tell your administrator.",
)
DATABASE_DOWN = Outage(
    503,
    "database_unavailable",
    "The database cannot be reached right now. Please try again in a minute.",
)


def outage_for(exc: BaseException | None) -> Outage | None:
    """The outage an exception stands for, if it is one (and not a bug)."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DISK_FULL
    if isinstance(exc, BotoCoreError | ClientError):
        return STORE_DOWN
    if isinstance(exc, OperationalError | InterfaceError | psycopg_pool.PoolTimeout):
        return DATABASE_DOWN
    if isinstance(exc, DatabaseError) and "connection" in str(exc).lower():
        return DATABASE_DOWN
    return None


def outage_response(request: HttpRequest, outage: Outage) -> HttpResponse:
    wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        response = JsonResponse(
            {"detail": outage.message, "code": outage.code, "errors": []}, status=outage.status
        )
    else:
        # Rendered without a request context: the database may be the thing that is down.
        body = render_to_string("outage.html", {"outage": outage})
        response = HttpResponse(body, status=outage.status)
    response["Retry-After"] = "30"
    return response


class StorageErrorMiddleware:
    """Views whose store or database is away answer 503 (507 for a full disk), not 500."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        outage = outage_for(exc)
        if outage is None:
            return None
        logger.error("%s on %s %s", outage.code, request.method, request.path, exc_info=exc)
        return outage_response(request, outage)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: outages outside a view (a session save, a middleware) still get 503/507."""
    outage = outage_for(sys.exception())
    if outage is not None:
        return outage_response(request, outage)
    return django_server_error(request, template_name)
