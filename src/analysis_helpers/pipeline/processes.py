"""The processes a run starts, stopped together: a run never leaves a worker, kernel or browser behind.

A review run starts processes three levels deep: a batch's workers
(:mod:`.batch`), each notebook's Jupyter kernel (:mod:`.kernels`, started in a
session of its own, so a terminal's Ctrl+C does not reach it) and Playwright's
driver with its Chromium (:mod:`.pdf`, which puts the browser in a process
group of its own). Process groups therefore do not hold a run together; its
family tree does. :func:`stop_descendants` walks the tree through ``/proc``
(``ps`` where there is no ``/proc``), freezes every process in it (``SIGSTOP``,
so none can start another or write another byte) until no new one appears,
then kills them all (``SIGKILL``, which a frozen process cannot ignore or turn
into a traceback). Nothing is asked to tidy up: a report is written to a
temporary folder and renamed into place only when complete (:mod:`.report`),
so there is nothing half-written to save, and what the killed processes leave
(a temporary folder) is removed by the next run (:mod:`.folders`).

A batch worker must not outlive its parent either, however the parent ends
(``SIGKILL`` included): :func:`follow_parent` (run in each worker as it starts)
asks Linux to send it ``SIGTERM`` when the parent dies (``PR_SET_PDEATHSIG``)
and watches its parent's pid from a thread of its own elsewhere; either way
the worker stops its own descendants and exits. A worker ignores ``SIGINT``:
Ctrl+C reaches the whole foreground process group, and the command line,
which stops the tree, is the one that answers it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

#: Linux's prctl option asking for a signal when the parent dies.
PR_SET_PDEATHSIG = 1
_PROC = Path("/proc")


def descendants(pid: int | None = None) -> list[int]:
    """Every living descendant of ``pid`` (default: this process), parents before their children."""
    root = os.getpid() if pid is None else pid
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found, queue = [], [root]
    while queue:
        for child in children.get(queue.pop(0), []):
            if child not in found and child != root:
                found.append(child)
                queue.append(child)
    return found


def stop_descendants(pid: int | None = None, rounds: int = 50) -> list[int]:
    """Freeze every descendant of ``pid`` until the tree stops growing, then kill them all; the pids killed.

    A process that starts a child while the tree is being frozen is caught by
    the next round; ``rounds`` bounds the walk (each round takes milliseconds).
    """
    frozen: list[int] = []
    for _ in range(rounds):
        new = [p for p in descendants(pid) if p not in frozen]
        if not new:
            break
        for child in new:
            _signal(child, signal.SIGSTOP)
        frozen += new
    for child in frozen:
        _signal(child, signal.SIGKILL)
    _reap(frozen)
    return frozen


def follow_parent() -> None:
    """Make this process (a batch worker) stop its descendants and exit when its parent dies or sends ``SIGTERM``/``SIGHUP``."""
    parent = os.getppid()
    signal.signal(signal.SIGINT, _ignore)  # the command line answers Ctrl+C for the whole tree (not SIG_IGN: kernels would inherit it)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_and_exit)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watch below is enough
            pass
    threading.Thread(target=_watch_parent, args=(parent,), name="send-review-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the parent died before the request above was made
        _stop_and_exit(signal.SIGTERM, None)


def _ignore(signum, frame) -> None:
    """A worker's answer to SIGINT: nothing (see :func:`follow_parent`)."""


def _watch_parent(parent: int, every: float = 0.5) -> None:
    """Exit (stopping this process's descendants) once ``parent`` is no longer this process's parent."""
    while os.getppid() == parent:
        time.sleep(every)
    _stop_and_exit(signal.SIGTERM, None)


def _stop_and_exit(signum, frame) -> None:
    stop_descendants()
    os._exit(128 + int(signum))


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process on the machine (``/proc``, else ``ps``)."""
    if not _PROC.is_dir():
        lines = subprocess.run(["ps", "-A", "-o", "pid=", "-o", "ppid="], capture_output=True, text=True, check=False).stdout
        return {int(pid): int(ppid) for pid, ppid in (line.split() for line in lines.splitlines() if line.strip())}
    parents = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended while being read
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (command name)", which may hold spaces
        if fields[0] != "Z":  # a zombie has already ended; its parent only has to collect it
            parents[int(entry.name)] = int(fields[1])
    return parents


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):  # already gone (or its pid reused by someone else's process)
        pass


def _reap(pids: list[int], seconds: float = 5.0) -> None:
    """Collect this process's own killed children, and wait (at most ``seconds``) until the others are gone."""
    deadline = time.monotonic() + seconds
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not our child: its own parent (also killed) or init collects it
            pass
    while time.monotonic() < deadline and not set(pids).isdisjoint(_parents()):
        time.sleep(0.05)
