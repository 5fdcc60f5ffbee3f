"""python manage.py create_api_token USERNAME [--name NAME] [--expires-days N | --never-expires]"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sharing import tokens


class Command(BaseCommand):
    help = (
        "Create a personal API token for USERNAME and print it once (only its hash is kept). "
        "For scripts and CI: send it as 'Authorization: Bearer <token>'."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Command line", help="What will use the token.")
        expiry = parser.add_mutually_exclusive_group()
        expiry.add_argument(
            "--expires-days",
            type=int,
            default=None,
            help="Days until the token stops working (default: API_TOKEN_DEFAULT_EXPIRY_DAYS).",
        )
        expiry.add_argument(
            "--never-expires", action="store_true", help="Make a token that never expires."
        )

    def handle(self, *args, username: str, name: str, expires_days, never_expires, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account is called {username!r}.")
        if not user.is_active:
            raise CommandError(f"The account {username!r} is deactivated.")
        if not name.strip():
            raise CommandError("--name must not be empty.")
        if expires_days is not None and not 1 <= expires_days <= 36_500:
            raise CommandError("--expires-days must be between 1 and 36500.")
        if never_expires:
            days = None
        else:
            days = expires_days if expires_days is not None else tokens.default_expiry_days()
        new = tokens.create_token(user, name, days)
        expiry = (
            f"expires {new.token.expires_at:%Y-%m-%d}" if new.token.expires_at else "never expires"
        )
        self.stderr.write(
            f"Created the token “{new.token.name}” for {username} ({expiry}). "
            "It is shown only this once:"
        )
        self.stdout.write(new.raw)
