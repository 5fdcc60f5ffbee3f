"""The search index: one row per searchable part of a notebook (see docs/search.md).

Rows hold the capped text (for excerpts) and where it came from; the words themselves live in
the backend's own structure, written beside the row by ``sharing.search.backends``: a
``tsvector`` column with a GIN index on PostgreSQL, an FTS5 table on SQLite. Who may see a row
is never stored here: every search joins the live permission rules.
"""

from __future__ import annotations

from django.db import models


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        TITLE = "title", "Title"
        MARKDOWN = "markdown", "Markdown"
        CODE = "code", "Code"
        RAW = "raw", "Raw cell"
        OUTPUT = "output", "Output"
        COMMENT = "comment", "Comments"

    notebook = models.ForeignKey("sharing.Notebook", on_delete=models.CASCADE, related_name="+")
    # Empty for the title and comment threads, which belong to the notebook as a whole.
    version = models.ForeignKey(
        "sharing.NotebookVersion", on_delete=models.CASCADE, null=True, related_name="+"
    )
    thread = models.ForeignKey(
        "sharing.CommentThread", on_delete=models.CASCADE, null=True, related_name="+"
    )
    is_latest = models.BooleanField(default=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    cell_id = models.CharField(max_length=64, blank=True)
    cell_index = models.PositiveIntegerField(null=True)
    text = models.TextField(help_text="The indexed text, capped; excerpts come from it.")
    index_version = models.PositiveSmallIntegerField(
        help_text="The tokeniser's version when written; older rows are rebuilt by reindex."
    )

    class Meta:
        indexes = [
            models.Index(fields=["notebook", "is_latest"], name="searchentry_notebook_latest"),
            models.Index(fields=["index_version"], name="searchentry_index_version"),
        ]
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return f"{self.kind} of notebook {self.notebook_id} cell {self.cell_id or '-'}"
