"""Every API error is JSON ``{"detail": ..., "code": ..., "errors": [...]}`` with its status.

400 an upload or a field the web forms refuse (same messages and codes), 401 no or a bad
token, 403 seen but not allowed (or a session request without its CSRF token), 404 not
visible or not there, 405 wrong method, 409 a conflicting write, 413 too large, 422 a request
that does not match the documented schema, 429 rate-limited.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from sharing import ratelimit
from sharing.forms import NotebookFileForm
from sharing.links import ShareLinkGone
from sharing.storage import outage_for, outage_response
from sharing.uploads import upload_was_too_large

logger = logging.getLogger(__name__)


class FieldError(Schema):
    field: str
    message: str
    code: str


class ErrorOut(Schema):
    detail: str
    code: str
    errors: list[FieldError] = []


ERROR_DESCRIPTIONS = {
    400: "The request was understood but refused: see `code` and `errors`.",
    401: "No credentials, or a token that is malformed, unknown, expired or revoked, "
    "or whose owner is deactivated.",
    403: "You can see this notebook but may not do this with it (or a browser session sent an "
    "unsafe request without its CSRF token).",
    404: "No such notebook, version, link or thread, or you may not see it.",
    409: "A conflicting write happened first.",
    413: "The upload or request body is larger than the server accepts.",
    422: "The request does not match this document's schema.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    503: "The work took longer than the server allows and was stopped; narrow it and retry.",
}


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The documented error responses of an operation (401, 422 and 429 apply to all)."""
    return dict.fromkeys(sorted({401, 422, 429, *statuses}), ErrorOut)


class ApiError(Exception):
    def __init__(self, status: int, detail: str, code: str, errors: list | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.errors = errors or []
        self.retry_after: int | None = None


def check_rate_limit(request: HttpRequest, scope: str) -> None:
    """The pages' per-account and per-address limit of ``scope`` (sharing.ratelimit), as a 429."""
    wait = ratelimit.limit(request, scope)
    if wait is not None:
        error = ApiError(
            429, f"Too many requests; try again in {ratelimit.wait_text(wait)}.", "rate_limited"
        )
        error.retry_after = wait
        raise error


def form_error(form: Form) -> ApiError:
    """A refused form as an API error: 413 when the upload was too large, else 400."""
    errors = [
        {"field": field, "message": error.message % (error.params or {}), "code": error.code or ""}
        for field, field_errors in form.errors.as_data().items()
        for error in field_errors
    ]
    first = errors[0] if errors else {"message": "The request was refused.", "code": "invalid"}
    status = 413 if first["code"] == "too_large" else 400
    return ApiError(status, first["message"], first["code"] or "invalid", errors)


def error_response(status: int, detail: str, code: str, errors: list | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code, "errors": errors or []}, status=status)


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if upload_was_too_large(request):
        # Django dropped the file part: let the upload form word the error as the web does.
        form = NotebookFileForm(request.POST, request.FILES, request=request)
        form.is_valid()
        error = form_error(form)
        return error_response(error.status, error.detail, error.code, error.errors)
    errors = [
        {
            "field": _field_name(item.get("loc", ())),
            "message": str(item.get("msg", "Invalid value.")),
            "code": str(item.get("type", "invalid")),
        }
        for item in exc.errors
    ]
    first = errors[0] if errors else {"field": "request", "message": "Invalid request."}
    detail = f"{first['field']}: {first['message']}"
    return error_response(422, detail, "invalid_request", errors)


_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def _field_name(loc) -> str:
    """Where an error is, without ninja's source prefix: ("query", "page") -> "page"."""
    parts = [str(part) for part in loc]
    while parts[1:] and parts[0] in _SOURCES:
        parts = parts[1:]
    return ".".join(parts) or "request"


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        response = error_response(
            401, "Authentication required: send Authorization: Bearer <token>.", "not_authenticated"
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if isinstance(exc, Throttled):
        return error_response(429, "Too many requests; slow down.", "rate_limited")
    codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    return error_response(exc.status_code, str(exc), codes.get(exc.status_code, "error"))


def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    response = error_response(exc.status, exc.detail, exc.code, exc.errors)
    if exc.status == 401:
        response["WWW-Authenticate"] = f'Bearer realm="api", error="{exc.code}"'
    if exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    return response


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, str(exc) or "Not found.", "not_found")


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(403, str(exc) or "You may not do that.", "forbidden")


def _link_ended(request: HttpRequest, exc: ShareLinkGone) -> HttpResponse:
    # The web answers a 410 page; the API says "not visible", as for anyone without access.
    return error_response(404, "The share link that gave you access has ended.", "not_found")


def _body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(413, "The request body is larger than the server accepts.", "too_large")


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    outage = outage_for(exc)
    if outage is not None:
        logger.error("%s on %s %s", outage.code, request.method, request.path, exc_info=exc)
        return outage_response(request, outage)
    # Logged as Django logs a crashed view, so ADMINS still hear of it; the client gets JSON.
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(500, "Something went wrong on the server.", "server_error")


def install(api: NinjaAPI) -> None:
    api.add_exception_handler(ApiError, _api_error)
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(PermissionDenied, _forbidden)
    api.add_exception_handler(ShareLinkGone, _link_ended)
    api.add_exception_handler(RequestDataTooBig, _body_too_large)
    api.add_exception_handler(Exception, _unexpected)


def json_method_not_allowed(view):
    """Ninja answers a wrong method with a plain-text 405; ours says it in JSON too."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/"):
            allowed = response["Allow"]
            response = error_response(
                405, f"{request.method} is not allowed here; use {allowed}.", "method_not_allowed"
            )
            response["Allow"] = allowed
        return response

    return wrapped


def not_found_view(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, "No such API endpoint.", "not_found")
