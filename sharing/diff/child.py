"""Comparing two notebooks' bytes, here or in a child process with a time and memory limit.

No Django imports: the child starts fresh ("spawn") and needs only the diff and the renderer.
While it works, the child reports how far it got; the parent passes that on (``on_progress``).
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import nbformat

from sharing.diff.html import render_diff
from sharing.diff.model import diff_notebooks

logger = logging.getLogger(__name__)

# Share of the work done once the cells are paired; the HTML takes the rest.
ALIGNED_PERCENT = 30


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str = ""  # for the reader, when not ok
    data: dict = field(default_factory=dict)
    html: str = ""


def compare_bytes(old: bytes, new: bytes, on_progress: Callable[[int], None] | None = None):
    report = on_progress or (lambda percent: None)
    try:
        old_nb = nbformat.reads(old.decode("utf-8"), 4)
        new_nb = nbformat.reads(new.decode("utf-8"), 4)
        diff = diff_notebooks(
            old_nb, new_nb, lambda done, total: report(done * ALIGNED_PERCENT // total)
        )
        report(ALIGNED_PERCENT)
        html = render_diff(
            old_nb,
            new_nb,
            diff,
            lambda done, total: report(ALIGNED_PERCENT + done * (99 - ALIGNED_PERCENT) // total),
        )
        return Outcome(True, data=diff.as_dict(), html=html)
    except RecursionError:
        return Outcome(False, "These versions are nested too deeply to be compared.")
    except MemoryError:
        raise
    except Exception:
        logger.exception("Unexpected error while comparing")
        return Outcome(False, "The versions could not be compared because of an internal error.")


def budget_message(exc) -> str:
    """The reader's message for a comparison its budget stopped (``sharing.budget``)."""
    if exc.kind == "time":
        return f"Comparing took longer than {exc.seconds:g} seconds and was stopped."
    if exc.kind == "memory":
        return memory_message(exc.memory_mb)
    return "The comparison stopped unexpectedly."


def memory_message(memory_mb: int) -> str:
    return f"Comparing these versions needed more than {memory_mb} MB of memory and was stopped."


def compare_isolated(
    old: bytes,
    new: bytes,
    timeout: float,
    memory_mb: int,
    on_progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Compare in a fresh child process, stopped past ``timeout`` seconds or ``memory_mb``."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(old, new, memory_mb, sender), daemon=True)
    process.start()
    sender.close()
    deadline = time.monotonic() + timeout
    try:
        while (left := deadline - time.monotonic()) > 0 and receiver.poll(left):
            kind, value = receiver.recv()
            if kind == "done":
                return value
            if on_progress is not None:
                on_progress(value)
        if process.is_alive():
            message = f"Comparing took longer than {timeout:g} seconds and was stopped."
            return Outcome(False, message)
    except EOFError:
        pass  # the child ended without answering
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if process.exitcode == -signal.SIGKILL:
        return Outcome(False, memory_message(memory_mb))
    return Outcome(False, f"The comparison stopped unexpectedly (exit code {process.exitcode}).")


def _address_space_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _child(old: bytes, new: bytes, memory_mb: int, conn) -> None:
    limit = _address_space_bytes() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    last = [-1]

    def progress(percent: int) -> None:
        if percent > last[0]:
            last[0] = percent
            conn.send(("progress", percent))

    try:
        outcome = compare_bytes(old, new, progress)
    except MemoryError:
        outcome = Outcome(False, memory_message(memory_mb))
    try:
        conn.send(("done", outcome))
    except MemoryError:
        conn.send(("done", Outcome(False, memory_message(memory_mb))))
