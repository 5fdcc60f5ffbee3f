"""The KaTeX process that turns TeX into MathML (``mathml_katex.js``, KaTeX pinned in
``package.json`` and installed by ``make katex`` into ``node_modules/``).

One ``node`` process per renderer process (so per budget child: started on the first formula,
ended with the child), asked one formula at a time over a pipe: a render pays node's start-up
(about 70 ms) once, then well under a millisecond a formula. Node runs ``--jitless``: V8's JIT
reserves more address space than the budget's memory limit (``RLIMIT_AS``, which node inherits)
allows, and KaTeX is fast enough interpreted. Each answer is awaited for at most
``ANSWER_SECONDS``; past it the process is killed and the formula shown as source. The process
also dies with its parent (``PR_SET_PDEATHSIG``), so a budget child killed at its deadline
leaves nothing running.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = Path(os.environ.get("NOTEBOOKSHARE_NODE_MODULES", ROOT / "node_modules"))
SCRIPT = Path(__file__).with_name("mathml_katex.js")
ANSWER_SECONDS = 5.0
HEAP_MB = 192
_PR_SET_PDEATHSIG = 1


class KatexUnavailable(Exception):
    """node or the vendored KaTeX is missing, or the process stopped."""


@dataclass(frozen=True)
class Answer:
    ok: bool
    text: str  # KaTeX's MathML when ok, else its error message
    new_macros: int = 0


def node_binary() -> str | None:
    return shutil.which("node")


def katex_installed() -> bool:
    return (NODE_MODULES / "katex" / "dist" / "katex.js").is_file()


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class _Process:
    def __init__(self) -> None:
        node = node_binary()
        if node is None or not katex_installed():
            raise KatexUnavailable("node or KaTeX is not installed (run: make katex)")
        self.pid = os.getpid()
        self.popen = subprocess.Popen(  # noqa: S603 (fixed argv; the TeX goes over the pipe)
            [node, "--jitless", f"--max-old-space-size={HEAP_MB}", str(SCRIPT), str(NODE_MODULES)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
            close_fds=True,
        )
        self.buffer = b""

    def ask(self, request: dict, seconds: float = ANSWER_SECONDS) -> dict:
        assert self.popen.stdin is not None and self.popen.stdout is not None
        self.popen.stdin.write(json.dumps(request).encode() + b"\n")
        self.popen.stdin.flush()
        fd = self.popen.stdout.fileno()
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([fd], [], [], seconds)
            if not ready:
                raise TimeoutError("KaTeX did not answer in time")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise KatexUnavailable("the KaTeX process stopped")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait()


_lock = threading.Lock()
_process: _Process | None = None


def _ask(request: dict, seconds: float) -> dict | None:
    """One request to this process's KaTeX process (started on first use); None past
    ``seconds`` (the process is then stopped)."""
    global _process
    with _lock:
        for attempt in (1, 2):
            if _process is None or _process.pid != os.getpid():
                _process = _Process()  # after a fork the parent's process is not ours to use
            try:
                return _process.ask(request, seconds)
            except TimeoutError:
                _process.stop()
                _process = None
                return None
            except (OSError, ValueError, KatexUnavailable) as error:
                # Stopped since the last request (e.g. with the thread that started it, as
                # PR_SET_PDEATHSIG goes): start a new one once.
                _process.stop()
                _process = None
                if attempt == 2:
                    raise KatexUnavailable(str(error)) from error
        return None


def _answer(reply: dict) -> Answer:
    if reply.get("ok"):
        return Answer(True, str(reply.get("mathml", "")), int(reply.get("macros") or 0))
    return Answer(False, str(reply.get("error", "")))


def convert(tex: str, display: bool, doc: int) -> Answer:
    """``tex`` as KaTeX MathML, macros shared within ``doc``; raises ``KatexUnavailable``."""
    reply = _ask({"doc": doc, "tex": tex, "display": display}, ANSWER_SECONDS)
    return Answer(False, "took too long") if reply is None else _answer(reply)


def convert_many(formulas: list[tuple[str, bool]], doc: int) -> list[Answer]:
    """Formulas in document order, in one round trip (a render's waits for the process are
    then one, not one per formula); raises ``KatexUnavailable``."""
    if not formulas:
        return []
    seconds = ANSWER_SECONDS + 0.05 * len(formulas)
    reply = _ask({"doc": doc, "batch": [list(f) for f in formulas]}, seconds)
    results = (reply or {}).get("results")
    if not isinstance(results, list) or len(results) != len(formulas):
        return [Answer(False, "took too long")] * len(formulas)
    return [_answer(r if isinstance(r, dict) else {}) for r in results]


def stop() -> None:
    """End this process's KaTeX process (the budget's fork server calls it after warming up,
    so no child inherits a process it must not use)."""
    global _process
    with _lock:
        if _process is not None and _process.pid == os.getpid():
            _process.stop()
        _process = None
