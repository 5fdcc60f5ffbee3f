"""Restore a backup made by ``manage.py backup`` into an empty database and store."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sharing.ops.backup import BackupError, restore, verify_backup


class Command(BaseCommand):
    help = (
        "Check every SHA-256 in DIR's manifest, then restore its files and database content "
        "into an empty, migrated database and an empty store. --check only checks."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("dir", type=Path, help="Folder written by manage.py backup.")
        parser.add_argument(
            "--check", action="store_true", help="Only check the backup; change nothing."
        )

    def handle(self, *args, dir: Path, check: bool = False, **options) -> None:
        try:
            if check:
                manifest = verify_backup(dir)
                self.stdout.write(f"{dir}: {len(manifest['files'])} files, every sum matches.")
                return
            summary = restore(dir)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {summary.notebooks} notebooks and {summary.files} files "
            f"({summary.bytes} bytes) from {dir}."
        )
