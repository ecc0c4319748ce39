"""SIGINT, SIGTERM and SIGHUP: a run or batch stops with everything it started, says so in one line, and exits 128 + the signal.

While a command runs, :func:`stopping_together` answers the three signals:
the first one stops every process the command started, however deep (batch
workers, their Jupyter kernels, Playwright and Chromium:
:func:`analysis_helpers.pipeline.processes.stop_descendants`), and then
raises :class:`Interrupted` in the main thread, which unwinds the run (its
temporary folder removed, the earlier report untouched) up to
:func:`analysis_helpers.cli.main`, which prints one line and ends the process
(:func:`leave`) with 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP). Further signals are ignored
while that happens, so a second Ctrl+C cannot turn it into a traceback. A
process still alive :data:`DEADLINE` seconds after the signal (a thread that
would not finish) is ended there and then, with the same line and code.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from analysis_helpers.pipeline.processes import stop_descendants

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
#: Seconds from the signal to the process's end at the latest (issue 24 asks for everything gone within 10).
DEADLINE = 8.0
_said = threading.Event()


class Interrupted(BaseException):  # noqa: N818 - a signal, like KeyboardInterrupt, not an error
    """A signal stopped the command (a BaseException, so no ``except Exception`` on the way up can swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def exit_code(signum: int) -> int:
    """The shell's code for a process ended by ``signum``: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + int(signum)


def message(signum: int) -> str:
    """The one line printed when ``signum`` stopped the command."""
    name = signal.Signals(signum).name
    return (f"send-review: stopped by {name}: every process it started was stopped; reports already complete are kept, "
            "and no report was left half-written")


def say(signum: int) -> None:
    """Print :func:`message` on stderr, once however many times it is asked for."""
    if not _said.is_set():
        _said.set()
        try:
            print(message(signum), file=sys.stderr, flush=True)
        except (OSError, ValueError):  # SIGHUP: the terminal may be gone, and stderr with it
            pass


@contextmanager
def stopping_together() -> Iterator[None]:
    """Answer SIGINT, SIGTERM and SIGHUP as the module docstring says while the block runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    for signum in SIGNALS:
        signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def leave(signum: int) -> NoReturn:
    """Say :func:`message` and end the process now, with :func:`exit_code`.

    Called once the run has unwound (its temporary folder removed). The process's
    children are dead by then, so the exit handlers of their clients (Playwright's
    browser, the kernels' managers) have nothing left to close, and running them
    can hang, or crash the interpreter as it shuts down: they are skipped."""
    say(signum)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(exit_code(signum))


def _on_signal(signum: int, frame) -> None:
    for other in SIGNALS:
        signal.signal(other, signal.SIG_IGN)  # the stop is under way: a second Ctrl+C must not interrupt it
    threading.Thread(target=_deadline, args=(signum,), name="send-review-deadline", daemon=True).start()
    stop_descendants()
    raise Interrupted(signum)


def _deadline(signum: int) -> None:
    """End the process :data:`DEADLINE` seconds after the signal if it has not ended by then."""
    threading.Event().wait(DEADLINE)
    say(signum)
    os._exit(exit_code(signum))
