"""Rendering notebook bytes, here or in a child process with a time and memory limit.

No Django imports: the child process starts fresh ("spawn") and needs only the renderer.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import signal
from dataclasses import dataclass

import nbformat

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
    """Render in a fresh child process, stopped past ``timeout`` seconds or ``memory_mb``."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(data, memory_mb, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if receiver.poll(timeout):
            return receiver.recv()
        if process.is_alive():
            return Outcome(
                False, f"Rendering took longer than {timeout:g} seconds and was stopped."
            )
    except EOFError:
        pass  # the child ended without answering
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if process.exitcode == -signal.SIGKILL:
        return Outcome(False, memory_message(memory_mb))
    return Outcome(False, f"The renderer stopped unexpectedly (exit code {process.exitcode}).")


def memory_message(memory_mb: int) -> str:
    return f"Rendering needed more than {memory_mb} MB of memory and was stopped."


def _address_space_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _child(data: bytes, memory_mb: int, conn) -> None:
    # The budget is on top of what the interpreter and the renderer's imports already map.
    limit = _address_space_bytes() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        outcome = render_bytes(data)
    except MemoryError:
        outcome = Outcome(False, memory_message(memory_mb))
    try:
        conn.send(outcome)
    except MemoryError:
        conn.send(Outcome(False, memory_message(memory_mb)))
