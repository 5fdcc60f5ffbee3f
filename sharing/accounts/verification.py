"""E-mail verification: a signed, expiring link that proves an account reads its address.

The link carries the account and the address it was sent to; it stops working when the
address changes, once it was used, or after VERIFY_EMAIL_MAX_AGE seconds. Verifying
activates an account that sign-up left inactive and records a VerifiedEmail, the only way an
address ever matches when sharing.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from sharing.accounts.lookup import is_verified
from sharing.accounts.models import VerifiedEmail

SALT = "sharing.accounts.verify-email"
logger = logging.getLogger(__name__)


class VerificationFailed(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def make_token(user) -> str:
    return signing.dumps({"u": user.pk, "e": user.email.casefold()}, salt=SALT, compress=True)


def send_verification(user, link_for) -> bool:
    """Mail ``user`` a link (``link_for(token)`` makes it absolute); False if mail failed."""
    context = {"user": user, "link": link_for(make_token(user)), "site_name": settings.SITE_NAME}
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string("emails/verify_subject.txt", context).split()),
        body=render_to_string("emails/verify_body.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("emails/verify_body.html", context), "text/html")
    try:
        return bool(mailers.default.send_messages([message]))
    except OSError:
        logger.exception("the verification e-mail could not be sent")
        return False


def check(token: str):
    """The account ``token`` verifies, or VerificationFailed saying why not (no writes)."""
    try:
        data = signing.loads(token[:1000], salt=SALT, max_age=settings.VERIFY_EMAIL_MAX_AGE)
    except signing.SignatureExpired:
        raise VerificationFailed(
            "This verification link has expired. Sign in and ask for a new one.", "expired"
        ) from None
    except signing.BadSignature:
        raise VerificationFailed("This verification link is not valid.", "invalid") from None
    user = get_user_model().objects.filter(pk=data.get("u")).first()
    if user is None or not user.email or user.email.casefold() != data.get("e"):
        raise VerificationFailed(
            "This link was sent to an address the account no longer has.", "stale"
        )
    return user


def verify(token: str):
    """Check ``token``; record the verified address and activate the account. Returns it."""
    user = check(token)
    if is_verified(user):
        return user
    try:
        with transaction.atomic():
            VerifiedEmail.objects.filter(user=user).delete()
            VerifiedEmail.objects.create(user=user, email=user.email)
            if not user.is_active and user.last_login is None:
                user.is_active = True
                user.save(update_fields=["is_active"])
    except IntegrityError:
        raise VerificationFailed(
            "Another account has already verified this address.", "taken"
        ) from None
    return user
