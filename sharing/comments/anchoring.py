"""Following threads from one version to the next (see docs/comments.md).

A thread remembers the cell it was started on (id, a hash of its source, a short excerpt).
Every version since then has one ``ThreadAnchor`` per thread saying where the thread sits in
that version: on a cell as it was (current), on a cell that changed (outdated), or nowhere
(removed). Re-uploading never deletes a thread.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from sharing.cells import Cell
from sharing.models import CommentThread, NotebookVersion, ThreadAnchor


def carry_threads(version: NotebookVersion, cells: Sequence[Cell]) -> int:
    """Anchor every thread of the previous version in ``version``, whose cells are ``cells``.

    Follow the cell id; if the id is gone, find a cell with the same source (of the same type,
    nearest to where it was). A cell whose source differs from the commented one makes the thread
    outdated; no cell at all puts it under removed cells. Returns the number of anchors made.
    """
    by_id = {cell.id: cell for cell in cells}
    by_hash: dict[str, list[Cell]] = defaultdict(list)
    for cell in cells:
        by_hash[cell.source_sha256].append(cell)
    previous = ThreadAnchor.objects.filter(
        version__notebook_id=version.notebook_id, version__number=version.number - 1
    ).select_related("thread")
    anchors = []
    for old in previous:
        thread = old.thread
        cell = by_id.get(old.cell_id) or _same_source(by_hash, old, thread)
        if cell is None:
            anchors.append(
                ThreadAnchor(
                    thread=thread,
                    version=version,
                    cell_id=old.cell_id,  # kept, so a cell that comes back is found again
                    source_sha256=old.source_sha256,
                    state=ThreadAnchor.State.REMOVED,
                )
            )
            continue
        changed = cell.source_sha256 != thread.source_sha256
        anchors.append(
            ThreadAnchor(
                thread=thread,
                version=version,
                cell_id=cell.id,
                cell_index=cell.index,
                source_sha256=cell.source_sha256,
                state=ThreadAnchor.State.OUTDATED if changed else ThreadAnchor.State.CURRENT,
            )
        )
    ThreadAnchor.objects.bulk_create(anchors)
    return len(anchors)


def _same_source(
    by_hash: Mapping[str, list[Cell]], old: ThreadAnchor, thread: CommentThread
) -> Cell | None:
    for digest in (old.source_sha256, thread.source_sha256):
        candidates = by_hash.get(digest) if digest else None
        if candidates:
            where = old.cell_index if old.cell_index is not None else 0
            return min(
                candidates,
                key=lambda cell: (cell.cell_type != thread.cell_type, abs(cell.index - where)),
            )
    return None
