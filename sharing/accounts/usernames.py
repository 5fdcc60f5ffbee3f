"""Usernames never contain "@": a name that looks like an address could capture a grant."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

MESSAGE = "A username cannot contain “@”: it would look like an e-mail address."


def validate_username(value: str) -> None:
    if "@" in value:
        raise ValidationError(MESSAGE, code="username_at")


def install_username_rule() -> None:
    """Add the rule to the user model's username field, so every path that validates a username
    (sign-up, setup, the admin's forms, ``createsuperuser``) refuses an "@".

    Only the field's computed validator list changes, not its definition (no migration).
    """
    field = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD)
    if validate_username not in field.validators:
        field.validators.append(validate_username)
