"""Report every version whose stored files are missing or do not match their SHA-256."""

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from sharing.ops import integrity


class Command(BaseCommand):
    help = (
        "Read every stored notebook and compare it with the SHA-256 recorded at upload; "
        "list versions whose files are missing or changed (exit status 1 if any). "
        "--orphans also lists stored files no version refers to; --delete-orphans removes them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--orphans", action="store_true", help="List unreferenced files.")
        parser.add_argument(
            "--delete-orphans", action="store_true", help="Delete unreferenced files."
        )

    def handle(self, *args, orphans: bool = False, delete_orphans: bool = False, **options):
        problems = 0
        for problem in integrity.version_problems():
            problems += 1
            self.stdout.write(str(problem))
        if orphans or delete_orphans:
            self._orphans(delete_orphans)
        if problems:
            raise CommandError(f"{problems} stored file{'s' * (problems != 1)} missing or damaged.")
        self.stdout.write("Every version's files are present and match their SHA-256.")

    def _orphans(self, delete: bool) -> None:
        found = integrity.orphans()
        for name in found:
            if delete:
                default_storage.delete(name)
            self.stdout.write(f"{'deleted ' if delete else ''}unreferenced file: {name}")
        self.stdout.write(f"{len(found)} unreferenced file{'s' * (len(found) != 1)}.")
