"""Sign-in, sign-out and failed sign-in, from django.contrib.auth's signals: every way of
signing in (the password form, the admin's, single sign-on) sends them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from sharing.audit import record as audit
from sharing.audit.models import Action, Outcome

TYPED_NAME_LENGTH = 150


@receiver(user_logged_in, dispatch_uid="audit-sign-in")
def signed_in(sender, request, user, **kwargs) -> None:
    backend = getattr(user, "backend", "") or ""
    audit.record(
        Action.SIGN_IN,
        obj=user,
        actor=audit.Actor.of_user(user),
        request=request,
        details={"backend": backend.rsplit(".", 1)[-1]} if backend else {},
    )


@receiver(user_logged_out, dispatch_uid="audit-sign-out")
def signed_out(sender, request, user, **kwargs) -> None:
    if user is None:  # the session had already ended
        return
    audit.record(Action.SIGN_OUT, obj=user, actor=audit.Actor.of_user(user), request=request)


@receiver(user_login_failed, dispatch_uid="audit-sign-in-failed")
def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django already masks the password; only the name that was typed is kept.
    typed = str(credentials.get(get_user_model().USERNAME_FIELD, "") or "")
    audit.record(
        Action.SIGN_IN_FAILED,
        outcome=Outcome.DENIED,
        actor=audit.Actor.of_user(None),
        request=request,
        details={"username": typed[:TYPED_NAME_LENGTH]},
    )
