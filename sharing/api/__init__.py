"""The REST API under /api/v1/, built with django-ninja (see docs/api.md).

One router module per resource; a new resource is a new module added to ROUTERS, plus its
rows in tests/test_api_matrix.py.
"""

from __future__ import annotations

from django.urls import URLPattern, path
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from sharing.api import (
    access,
    account,
    diff,
    errors,
    links,
    notebooks,
    search,
    threads,
    versions,
)
from sharing.api.auth import AUTH, CallerRateThrottle

DESCRIPTION = """\
Publish and read notebooks from scripts and CI.

Authenticate with a personal API token (create one under **API tokens** in the user menu, or
with `python manage.py create_api_token USERNAME`) sent as `Authorization: Bearer <token>`.
Signed-in browsers may also call the API with their session; requests that change something
then need the `X-CSRFToken` header.

Errors are JSON: `{"detail": "...", "code": "...", "errors": [...]}`.
"""

ROUTERS = (
    account.router,
    notebooks.router,
    versions.router,
    diff.router,
    access.router,
    links.router,
    threads.router,
    search.router,
)


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs) -> dict:
        """The generated document, with our words for each error status."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation["responses"].items():
                    if int(status) in errors.ERROR_DESCRIPTIONS:
                        response["description"] = errors.ERROR_DESCRIPTIONS[int(status)]
        return schema


api = Api(
    title="NotebookShare API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-1",
    auth=AUTH,
    throttle=CallerRateThrottle(),
    # Served from our own static files (ninja ships Swagger UI); nothing from another host.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
errors.install(api)
for router in ROUTERS:
    api.add_router("", router)


def urlpatterns() -> list[URLPattern]:
    """The API's URLs, answering wrong methods and unknown paths in JSON too."""
    patterns, _app_name, _namespace = api.urls
    wrapped = [
        URLPattern(p.pattern, errors.json_method_not_allowed(p.callback), p.default_args, p.name)
        for p in patterns
    ]
    return [*wrapped, path("<path:rest>", errors.not_found_view)]


urls = (urlpatterns(), "api-1", "api-1")
