"""Rendering notebook bytes in a child process with a time and memory limit.

No Django imports: ``render_bytes`` runs in the budget's child (``sharing.budget``), which has
no configured settings and no database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import nbformat

from sharing.budget import BudgetExceeded, run_within_budget
from sharing.rendering import renderer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    text: str  # the HTML when ok, else a message for the person reading the page


def render_bytes(data: bytes) -> Outcome:
    try:
        return Outcome(True, renderer.render_notebook(nbformat.reads(data.decode(), 4)))
    except renderer.RenderError as exc:
        return Outcome(False, str(exc))
    except MemoryError:
        raise
    except Exception:
        logger.exception("Unexpected error while rendering")
        return Outcome(False, "The notebook could not be rendered because of an internal error.")


def render_isolated(data: bytes, timeout: float, memory_mb: int) -> Outcome:
    """Render in a limited child process (``sharing.budget``), stopped past ``timeout``
    seconds or ``memory_mb``; the reason it stopped becomes the outcome's message."""
    try:
        return run_within_budget(render_bytes, data, seconds=timeout, memory_mb=memory_mb)
    except BudgetExceeded as exc:
        return budget_outcome(exc)


def budget_outcome(exc: BudgetExceeded) -> Outcome:
    """The message a reader sees for a render stopped by its budget."""
    if exc.kind == "time":
        return Outcome(
            False, f"Rendering took longer than {exc.seconds:g} seconds and was stopped."
        )
    if exc.kind == "memory":
        return Outcome(False, memory_message(exc.memory_mb))
    return Outcome(False, "The renderer stopped unexpectedly.")


def memory_message(memory_mb: int) -> str:
    return f"Rendering needed more than {memory_mb} MB of memory and was stopped."
