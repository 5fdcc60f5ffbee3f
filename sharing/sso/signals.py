"""Group sync at each single sign-on (allauth's sign-in signal carries the sign-in)."""

from __future__ import annotations

from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from sharing.sso import groups
from sharing.sso.adapters import GROUPS_KEY


@receiver(user_logged_in, dispatch_uid="sso-group-sync")
def sync_groups(sender, request, user, sociallogin=None, **kwargs) -> None:
    if sociallogin is None:
        return
    names = sociallogin.state.get(GROUPS_KEY)
    if names is not None:
        groups.sync(user, names)
