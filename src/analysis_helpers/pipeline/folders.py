"""A report's folder on disk: where it may be written, who is writing it, who may read it, what a killed run left.

* **Where.** :func:`writable_folder` makes the quarter's folder and proves a
  folder can be made in it; an ``--out`` that is a file, read-only or on a full
  disk is refused in one line (:class:`~analysis_helpers.core.errors.OutputFolderError`,
  exit 2), never a traceback. :func:`disk_error` words any other error of the
  filesystem (a disk filling up half-way) the same way, keeping the first error.
* **Who.** :func:`area_lock` holds ``reports/<quarter>/.<slug>.lock``
  (``fcntl.flock``) from the start of a run until its report is in place: a
  second run of the same area and quarter, by ``run`` or by a batch, is refused
  in one line naming the first one's pid. Another area's run is not affected.
  The kernel releases the lock when its holder dies, however it dies.
* **Who may read.** A run works in a folder made by :func:`tempfile.mkdtemp`
  (mode 0700, private); :func:`readable` gives it, and every file in it, the
  modes the user's umask gives a folder or file made the ordinary way (0755 and
  0644 under umask 0022) before it is renamed into place.
* **What a killed run left.** Holding the lock, :func:`clear_leftovers`
  removes the area's temporary folders (``.<slug>-XXXXXXXX``, as mkdtemp names
  them) and a folder set aside by an interrupted swap (``.<slug>.old-PID``);
  nothing of this area can be writing them while the lock is held, and other
  areas' folders are not touched. An old report set aside by a swap that was
  interrupted before the new one took its place is put back, not removed.
* **What an earlier run wrote.** :func:`keep_pages` carries the details pages
  of an earlier full run of the same area and quarter into a run that does not
  write them (a batch without ``--details``), so the swap does not delete them.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analysis_helpers.core.errors import OutputFolderError, ReportError

_umask_lock = threading.Lock()


def umask() -> int:
    """This process's umask, read without changing it (``/proc``), else by setting it and back (under a lock)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def readable(folder: Path) -> None:
    """Give ``folder`` and everything in it the modes the umask gives new folders and files (see the module docstring)."""
    mask = umask()
    os.chmod(folder, 0o777 & ~mask)
    for root, folders, files in os.walk(folder):
        for name in folders:
            os.chmod(Path(root, name), 0o777 & ~mask)
        for name in files:
            os.chmod(Path(root, name), 0o666 & ~mask)


def file_mode() -> int:
    """The mode the umask gives a new file (0644 under 0022), for files made by :func:`tempfile.mkstemp` (0600)."""
    return 0o666 & ~umask()


def writable_folder(folder: Path, flag: str = "--out") -> Path:
    """Make ``folder`` (and its parents) and check a folder can be made in it; one line naming ``flag`` if not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.rmdir(tempfile.mkdtemp(prefix=".probe-", dir=folder))
    except OSError as exc:
        blocking = _first_existing(folder)
        if blocking.exists() and not blocking.is_dir():
            raise OutputFolderError(f"{flag}: reports cannot be written in {folder}: {blocking} is a file, not a folder; "
                                    "give a folder") from None
        raise OutputFolderError(f"{flag}: reports cannot be written in {folder}: {_reason(exc)}; "
                                "give a folder you can write to") from None
    return folder


def disk_error(exc: OSError, what: str) -> OutputFolderError:
    """The one line for a filesystem error met while doing ``what``: the error itself kept, and where it happened."""
    where = f" ({exc.filename})" if exc.filename else ""
    return OutputFolderError(f"{what} stopped: {_reason(exc)}{where}; the previous report was left untouched")


@contextmanager
def area_lock(quarter_folder: Path, slug: str, area: str) -> Iterator[None]:
    """Hold the lock of ``slug``'s report in ``quarter_folder`` for the block; refuse in one line if another run holds it."""
    path = quarter_folder / f".{slug}.lock"
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise ReportError(f"another send-review run (pid {holder}) is writing the {area} report in {quarter_folder}; "
                              "wait for it to finish, or stop it, and run again") from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(handle)  # releases the lock


def clear_leftovers(quarter_folder: Path, slug: str) -> list[str]:
    """Remove what killed runs of ``slug`` left in ``quarter_folder`` (call holding :func:`area_lock`); the names removed."""
    temporary = re.compile(rf"\.{re.escape(slug)}-[a-z0-9_]{{8}}")
    set_aside = re.compile(rf"\.{re.escape(slug)}\.old-\d+")
    destination = quarter_folder / slug
    removed = []
    for entry in sorted(quarter_folder.iterdir()):
        if not entry.is_dir() or entry.is_symlink():
            continue
        if set_aside.fullmatch(entry.name) and not destination.exists():
            os.replace(entry, destination)  # the swap was cut between its two renames: the old report comes back
        elif temporary.fullmatch(entry.name) or set_aside.fullmatch(entry.name):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed


def keep_pages(report: Path, work: Path, names: list[str], area: str, quarter: str) -> dict | None:
    """Copy the files ``names`` of the report in place (``report``) into ``work``, when it is ``area``'s report for ``quarter``.

    A batch without ``--details`` writes only the review; the baselines and
    trajectories pages an earlier full run wrote for the same area and quarter
    are carried into the new folder rather than lost with the old one. Returns
    what was kept and from which run (for ``manifest.json``), or None.
    """
    try:
        earlier = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
        parameters = earlier["parameters"]
    except (OSError, ValueError, KeyError, TypeError):  # no report there, or not one this run can vouch for
        return None
    if parameters.get("area") != area or parameters.get("quarter") != quarter:
        return None
    kept = [name for name in names if (report / name).is_file() and not (work / name).exists()]
    for name in kept:
        shutil.copy2(report / name, work / name)
    if not kept:
        return None
    return {"files": kept, "run_started": earlier.get("started"), "as_of": parameters.get("as_of")}


def _reason(exc: OSError) -> str:
    """``No space left on device [ENOSPC]``: the system's words and the error's name."""
    text = exc.strerror or str(exc) or type(exc).__name__
    return f"{text} [{errno.errorcode.get(exc.errno, exc.errno)}]" if exc.errno else text


def _first_existing(folder: Path) -> Path:
    """``folder`` or its nearest parent that exists (a file named as a folder, or the folder itself)."""
    path = folder
    while not path.exists() and path != path.parent:
        path = path.parent
    return path
