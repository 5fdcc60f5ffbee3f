"""Back up the database's content and every stored file into a new folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sharing.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup (database content, every stored file, and a manifest of "
        "SHA-256 sums) into DIR, which must be new or empty. Safe while the site runs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("dir", type=Path, help="Folder to write the backup into.")

    def handle(self, *args, dir: Path, **options) -> None:
        try:
            summary = backup(dir)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backed up {summary.notebooks} notebooks and {summary.files} files "
            f"({summary.bytes} bytes) into {dir}."
        )
