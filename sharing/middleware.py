"""The app's middleware: upload guards, the 410 page for ended share links, and our own error
pages in every mode (DEBUG included)."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from sharing import links
from sharing.uploads import NameRecordingMultiPartParser, SizeLimitUploadHandler
from sharing.views.links import gone

request_logger = logging.getLogger("django.request")


class UploadGuardMiddleware:
    """Keeps raw upload names for the form to check and stops files over the size limit."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH"):
            request.multipart_parser_class = NameRecordingMultiPartParser
            request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
        return self.get_response(request)


class ShareLinkGoneMiddleware:
    """Answer ``links.ShareLinkGone`` (raised by permissions.get_notebook_or_404) with a 410."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, links.ShareLinkGone):
            return gone(request, exception.state)
        return None


class ErrorPagesMiddleware:
    """With DEBUG on, answer with templates/404.html, 403.html and 500.html as production does
    (Django would show its technical pages). Without DEBUG, Django's own handlers already
    render those templates and this does nothing. Sits before CommonMiddleware so a missing
    slash still redirects.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
        ):
            # No URL matched: Django made its technical page.
            return _not_found(request)
        return response

    def process_exception(self, request, exception):
        if not settings.DEBUG:
            return None
        if isinstance(exception, Http404):
            return _not_found(request)
        if isinstance(exception, PermissionDenied):
            return render(request, "403.html", status=403)
        got_request_exception.send(sender=None, request=request)
        request_logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=sys.exc_info(),
            extra={"status_code": 500, "request": request},
        )
        return HttpResponseServerError(loader.get_template("500.html").render())


def _not_found(request):
    return render(request, "404.html", {"request_path": request.path}, status=404)
