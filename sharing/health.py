"""Health for load balancers and operators, and a request id on every log line.

``/healthz``: the process is up and answering (no database, no store: a liveness probe).
``/readyz``: the database answers, every migration is applied and the file store is
reachable (a readiness probe: take the node out of rotation while it says 503).
Both are unauthenticated, cheap, and say only ``ok`` or ``unavailable``: the reasons go to
the log, never to the client. They answer before host checks and HTTPS redirects, since
probes come from the load balancer with its own Host header over plain HTTP.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

from sharing.storage import store_is_reachable

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdMiddleware:
    """Takes the proxy's ``X-Request-ID`` (if well-formed) or makes one; echoes it back.

    The id is on ``request.id``, on every log line of the request and in the response header,
    which the production server's access log prints.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request.id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


def _database_ready() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return not _migrations_pending(connection)
    except DatabaseError:
        logger.warning("Readiness: the database is not reachable", exc_info=True)
        return False


_migrated: set[str] = set()


def _migrations_pending(connection) -> bool:
    """True while migrations are missing; once all are applied, never asked again here."""
    if connection.alias in _migrated:
        return False
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        logger.warning("Readiness: %d migrations are not applied", len(plan))
        return True
    _migrated.add(connection.alias)
    return False


def _answer(ready: bool) -> JsonResponse:
    response = JsonResponse(
        {"status": "ok" if ready else "unavailable"}, status=200 if ready else 503
    )
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz" and request.method in ("GET", "HEAD"):
            return _answer(True)
        if request.path == "/readyz" and request.method in ("GET", "HEAD"):
            return _answer(_database_ready() and store_is_reachable())
        return self.get_response(request)
