"""Print a one-time link that creates the first administrator, while the site has none."""

from django.core.management.base import BaseCommand

from sharing.accounts import setup


class Command(BaseCommand):
    help = "While no superuser exists, print a one-time link that creates one (valid 24 hours)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="The site's address, for the link."
        )

    def handle(self, *args, url: str, **options):
        if not setup.needs_setup():
            self.stdout.write("An administrator exists: no setup link needed.")
            return
        raw = setup.create_setup_token()
        self.stdout.write(
            "No administrator yet. Open this one-time link to create one (valid 24 hours):\n"
            f"  {url.rstrip('/')}/setup/{raw}/"
        )
