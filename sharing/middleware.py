"""Our own error pages in every mode, DEBUG included (Django shows its technical pages then)."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger("django.request")


class ErrorPagesMiddleware:
    """With DEBUG on, answer with templates/404.html, 403.html and 500.html as production does.

    Without DEBUG, Django's own handlers already render those templates; this does nothing.
    Sits before CommonMiddleware so a missing slash still redirects.
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
            return not_found(request)
        return response

    def process_exception(self, request, exception):
        if not settings.DEBUG:
            return None
        if isinstance(exception, Http404):
            return not_found(request)
        if isinstance(exception, PermissionDenied):
            return render(request, "403.html", status=403)
        got_request_exception.send(sender=None, request=request)
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=sys.exc_info(),
            extra={"status_code": 500, "request": request},
        )
        return HttpResponseServerError(loader.get_template("500.html").render())


def not_found(request):
    return render(request, "404.html", {"request_path": request.path}, status=404)
