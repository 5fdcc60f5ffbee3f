"""``manage.py deactivate USER...``: a leaver loses their sessions, API tokens and links."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sharing.accounts import leavers


class Command(BaseCommand):
    help = (
        "Deactivate accounts by username: their sessions end, their API tokens are revoked "
        "and the share links they created stop working."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("usernames", nargs="+", metavar="USER")

    def handle(self, *args, usernames, **options) -> None:
        User = get_user_model()
        users = []
        for name in usernames:
            user = User.objects.filter(**{User.USERNAME_FIELD: name}).first()
            if user is None:
                raise CommandError(f"No account has the username {name!r}; nothing was changed.")
            users.append(user)
        for user in users:
            if leavers.deactivate(user):
                self.stdout.write(f"Deactivated {user.get_username()}.")
            else:
                self.stdout.write(f"{user.get_username()} was already deactivated.")
