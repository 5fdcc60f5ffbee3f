"""Groups from the identity provider: read from a claim, mapped to our groups at each sign-in.

The claim (``OIDC_GROUPS_CLAIM``, e.g. ``groups``) lists the person's groups at the provider.
At each sign-in their membership of our groups becomes exactly the listed groups that exist
here (``OIDC_GROUPS_CREATE`` creates the missing ones), so a join or a leave at the provider
takes effect at the next sign-in, and with it the grants given to those groups.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

MAX_GROUPS = 500
MAX_NAME = Group._meta.get_field("name").max_length


def provider_setting(app_settings: dict, name: str):
    """A per-provider setting (OIDC_PROVIDERS) or else the site-wide one."""
    key = name.lower().removeprefix("oidc_")
    if key in app_settings:
        return app_settings[key]
    return getattr(settings, name)


def claims_of(extra_data: dict) -> dict:
    """The ID token's claims with the user info's over them (the user info has more)."""
    return {**(extra_data.get("id_token") or {}), **(extra_data.get("userinfo") or {})}


def groups_in(claims: dict, claim: str) -> list[str] | None:
    """The group names a claim lists (a list, or one string), or None if it is missing."""
    if not claim or claim not in claims:
        return None
    value = claims[claim]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    names = [name.strip() for name in value if isinstance(name, str) and name.strip()]
    return [name for name in names if len(name) <= MAX_NAME][:MAX_GROUPS]


def allowed(groups: list[str] | None, allowed_groups: list[str]) -> bool:
    """Whether someone in ``groups`` may sign in, when only ``allowed_groups`` may."""
    if not allowed_groups:
        return True
    return bool(set(groups or ()) & set(allowed_groups))


@transaction.atomic
def sync(user, names: list[str]) -> None:
    """Make ``user``'s groups exactly ``names`` (those that exist, or all when creating)."""
    wanted = set(names)
    if settings.OIDC_GROUPS_CREATE:
        existing = set(Group.objects.filter(name__in=wanted).values_list("name", flat=True))
        Group.objects.bulk_create(
            [Group(name=name) for name in sorted(wanted - existing)], ignore_conflicts=True
        )
    user.groups.set(Group.objects.filter(name__in=wanted))
