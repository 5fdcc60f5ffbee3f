"""/api/v1/me: who the API thinks you are; handy to check a token in CI."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from sharing.api.errors import error_responses
from sharing.api.schemas import MeOut, TokenOut

router = Router(tags=["account"])


@router.get(
    "/me",
    response={200: MeOut, **error_responses()},
    summary="Show who you are signed in as",
    url_name="me",
)
def me(request: HttpRequest):
    token = getattr(request, "api_token", None)
    return MeOut(
        username=request.user.get_username(),
        token=TokenOut.model_validate(token, from_attributes=True) if token else None,
    )
