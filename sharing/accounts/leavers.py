"""Leavers: a person deactivated loses every way in at once.

Deactivating an account (in the admin, with ``manage.py deactivate``, or when the identity
provider refuses them) ends all of their signed-in sessions and revokes their API tokens in
the same transaction. The share links they created end as "creator lost access"
(sharing.links checks the creator is active), and every request also checks that the person
is active, so nothing they left open keeps working at the next request.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from sharing.models import ApiToken, UserSession

logger = logging.getLogger(__name__)
SESSIONS_WITH_PERSON = "sharing.accounts.sessions"  # the engine that keeps the person in a column


def end_sessions(user) -> int:
    """Delete every session signed in as ``user``; the number deleted."""
    if settings.SESSION_ENGINE != SESSIONS_WITH_PERSON:
        return 0  # other stores: the per-request check that the person is active still holds
    ended, _ = UserSession.objects.filter(user=user).delete()
    return ended


def revoke_tokens(user) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def offboard(user) -> None:
    """End ``user``'s sessions and tokens (called when an account is deactivated)."""
    sessions, tokens = end_sessions(user), revoke_tokens(user)
    logger.info(
        "Deactivated %s: %d session(s) ended, %d API token(s) revoked",
        user.get_username(),
        sessions,
        tokens,
    )


@transaction.atomic
def deactivate(user) -> bool:
    """Deactivate ``user``; False if they already were."""
    if not user.is_active:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    return True


@receiver(pre_save, sender=get_user_model(), dispatch_uid="leavers-was-active")
def _remember_was_active(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        instance._was_active = False
        return
    instance._was_active = (
        sender.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    )


@receiver(post_save, sender=get_user_model(), dispatch_uid="leavers-offboard")
def _offboard_on_deactivation(sender, instance, raw=False, **kwargs) -> None:
    if not raw and getattr(instance, "_was_active", False) and not instance.is_active:
        instance._was_active = False
        offboard(instance)
