"""Rebuild the search index (after an upgrade of the tokeniser, or a restore)."""

from __future__ import annotations

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef

from sharing.models import Notebook
from sharing.search.indexing import reindex_notebook
from sharing.search.models import SearchEntry
from sharing.search.tokens import INDEX_VERSION


class Command(BaseCommand):
    help = (
        "Rebuild the search index. By default only notebooks with rows of an older tokeniser "
        "version (or none at all) are rebuilt; --all rebuilds every notebook."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="Rebuild every notebook.")
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (for logs and cron)."
        )

    def handle(self, *args, **options) -> None:
        notebooks = Notebook.objects.order_by("pk")
        if not options["all"]:
            entries = SearchEntry.objects.filter(notebook=OuterRef("pk"))
            notebooks = notebooks.filter(
                Exists(entries.exclude(index_version=INDEX_VERSION)) | ~Exists(entries)
            )
        ids = list(notebooks.values_list("pk", flat=True))
        bar = _Bar(len(ids), self.stderr if not options["no_progress"] else None)
        rows = 0
        for done, pk in enumerate(ids, start=1):
            notebook = Notebook.objects.filter(pk=pk).first()
            if notebook is not None:  # deleted meanwhile
                rows += reindex_notebook(notebook, seconds=settings.RENDER_TIMEOUT_SECONDS)
            bar.show(done)
        bar.finish()
        self.stdout.write(
            f"Reindexed {len(ids)} notebook{'s' * (len(ids) != 1)} ({rows} cell parts)."
        )


class _Bar:
    """``[#####.....]  52/100  52%  ETA 4s`` on one line, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, total: int, out) -> None:
        self.total, self.out = total, out
        self.started = self.drawn = time.monotonic()
        self.interactive = out is not None and getattr(sys.stderr, "isatty", lambda: False)()

    def show(self, done: int) -> None:
        now = time.monotonic()
        if self.out is None or (now - self.drawn < 0.1 and done < self.total):
            return
        self.drawn = now
        share = done / self.total if self.total else 1
        filled = int(share * self.WIDTH)
        rate = done / max(now - self.started, 1e-6)
        eta = (self.total - done) / rate if rate else 0
        line = (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{self.total}"
            f"  {share:4.0%}  ETA {eta:.0f}s"
        )
        self.out.write(
            ("\r" if self.interactive else "") + line, ending="" if self.interactive else "\n"
        )
        self.out.flush()

    def finish(self) -> None:
        if self.out is not None and self.interactive:
            self.out.write("")
