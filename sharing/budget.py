"""Untrusted work under a wall-clock and memory budget: the one rule for notebook and comment
content (see docs/rendering.md, "Budgets").

Checking an upload, rendering a notebook and rendering a comment all parse text that anyone may
have crafted to be slow or huge. ``run_within_budget`` runs such a function in a child process
forked from a small server process that already imported the parsers (a multiprocessing
"forkserver"), with an address-space limit set in the child and a deadline kept by the caller:
past either, the child is killed and ``BudgetExceeded`` says which. A request therefore never
waits longer than its budget, and a parser that blows up in memory takes down only its child.

The functions run here take and return plain, picklable data and touch no Django state: the
child has no database connection and no configured settings.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import resource
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.context import set_spawning_popen
from typing import Any

logger = logging.getLogger(__name__)


# Imported once by the fork server, so that each child starts with the parsers loaded and warm.
PRELOAD = ["sharing.warmup"]

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(PRELOAD)
_start_lock = threading.Lock()


class _Popen(popen_forkserver.Popen):
    """Starts the child without importing the parent's ``__main__`` again.

    multiprocessing would make every child re-run the main script (manage.py, pytest, a bench)
    to find functions defined there; ours live in importable modules, and that import costs
    more than the work. Otherwise as ``popen_forkserver.Popen._launch``.
    """

    def _launch(self, process_obj) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_name", None)
        prep_data.pop("init_main_from_path", None)
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        parent_w = os.dup(w)  # the child watches it to notice the parent has gone
        self.finalizer = util.Finalize(self, util.close_fds, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as pipe:
            pipe.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(_context.Process):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


class BudgetExceeded(Exception):
    """The work went past its time or memory budget (or its process died) and was stopped."""

    def __init__(self, kind: str, seconds: float, memory_mb: int, detail: str = "") -> None:
        self.kind = kind  # "time", "memory" or "crash"
        self.seconds = seconds
        self.memory_mb = memory_mb
        super().__init__(detail or self.describe())

    def describe(self) -> str:
        if self.kind == "time":
            return f"took longer than {self.seconds:g} seconds"
        if self.kind == "memory":
            return f"needed more than {self.memory_mb} MB of memory"
        return "stopped unexpectedly"


@dataclass(frozen=True)
class _Failure:
    """An exception raised by the work, carried back to the caller."""

    error: BaseException


def run_within_budget[T](
    function: Callable[..., T], *args: Any, seconds: float, memory_mb: int
) -> T:
    """``function(*args)`` in a limited child process; its exceptions are raised here.

    ``function`` must be a module-level function of a module the child can import.
    """
    receiver, sender = _context.Pipe(duplex=False)
    with _start_lock:  # the fork server is started once per process, by one thread
        process = _Process(target=_child, args=(function, args, memory_mb, sender), daemon=True)
        process.start()
    sender.close()
    outcome: Any = None
    answered = timed_out = False
    try:
        if receiver.poll(seconds):
            outcome = receiver.recv()
            answered = True
        else:
            timed_out = True
    except (EOFError, OSError):
        pass  # the child ended without answering
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if answered:
        if isinstance(outcome, _Failure):
            raise outcome.error
        return outcome
    if timed_out:
        raise BudgetExceeded("time", seconds, memory_mb)
    if process.exitcode in _OUT_OF_MEMORY:
        raise BudgetExceeded("memory", seconds, memory_mb)
    logger.warning("Budgeted work %s ended with exit code %s", function, process.exitcode)
    raise BudgetExceeded("crash", seconds, memory_mb)


_MEMORY_EXIT = 77  # the child's own exit code when Python ran out of memory
# Native code that cannot allocate aborts; the kernel's OOM killer sends SIGKILL.
_OUT_OF_MEMORY = {_MEMORY_EXIT, -signal.SIGABRT, -signal.SIGKILL}


def _address_space_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _child(function, args, memory_mb: int, conn) -> None:
    # The budget comes on top of what the interpreter and the preloaded parsers already map.
    limit = _address_space_bytes() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        try:
            outcome = function(*args)
        except MemoryError:
            raise
        except BaseException as error:  # carried back and raised in the caller
            outcome = _Failure(error)
        conn.send(outcome)
    except MemoryError:
        conn.close()
        raise SystemExit(_MEMORY_EXIT) from None
