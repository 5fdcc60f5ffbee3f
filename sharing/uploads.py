"""Request-level guards for file uploads, installed by ``middleware.UploadGuardMiddleware``.

Django quietly strips folder parts and control characters from uploaded file names and
spools any size of file to disk. We want to refuse such files with a clear message instead,
and stop reading a file as soon as it passes the size limit.
"""

from __future__ import annotations

import html

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http.multipartparser import MultiPartParser

RAW_NAMES_KEY = "notebookshare.raw_upload_names"
TOO_LARGE_KEY = "notebookshare.upload_too_large"


class NameRecordingMultiPartParser(MultiPartParser):
    """Remembers each file name exactly as the client sent it, for the form to check."""

    def sanitize_file_name(self, file_name):
        cleaned = super().sanitize_file_name(file_name)
        self._meta.setdefault(RAW_NAMES_KEY, {})[cleaned] = html.unescape(file_name)
        return cleaned


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops receiving a file once it is larger than MAX_UPLOAD_BYTES."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.MAX_UPLOAD_BYTES:
            self.request.META[TOO_LARGE_KEY] = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def raw_upload_name(request, cleaned_name: str) -> str:
    return request.META.get(RAW_NAMES_KEY, {}).get(cleaned_name, cleaned_name)


def upload_was_too_large(request) -> bool:
    return bool(request.META.get(TOO_LARGE_KEY))
