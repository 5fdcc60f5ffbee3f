"""The app's middleware: upload guards and the 410 page for ended share links."""

from __future__ import annotations

from sharing import links
from sharing.uploads import NameRecordingMultiPartParser, SizeLimitUploadHandler
from sharing.views.links import gone


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
