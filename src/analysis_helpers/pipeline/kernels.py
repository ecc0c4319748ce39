"""Kernels kept warm for the next notebook: the rest of a run's pack, or a batch worker's next area.

Starting a kernel and importing pandas, matplotlib and the package costs
about 4 s of CPU, more than most review notebooks spend on their own work. A
:class:`KernelPool` lends a kernel for one notebook and takes it back; the next
notebook gets the same kernel after :data:`RESET` has cleared it:

* every name the last notebook defined is deleted (``%reset -f``), every figure
  closed, and the cell counter set back to 1, so a notebook sees an empty
  namespace and a failing cell keeps its own number;
* warnings are shown again (the "once per place" memory is cleared), so each
  area's ``run.log`` gets its own warnings;
* what stays is what is the same for every area of a run: imported modules and
  the release the last notebook's parameter check opened, with what was derived
  on it (:mod:`.kept_releases`), handed to the next notebook only if its file,
  the historic release, the package's code and the caches it read are
  unchanged (hashed and verified again); files an analyst edits (targets,
  feeds, area facts, the measures catalogue) are read again by each notebook.

A kernel whose notebook failed is shut down, never lent again. ``tests/
test_kernels.py`` checks that a notebook run in a lent kernel gives the same
outputs as one run in a fresh kernel.

Every notebook runs in a kernel lent by a pool (``execute`` makes a pool of one
when given none), so nbclient never owns a kernel and never shuts one down: the
pool does, by killing the process through its provisioner (:func:`stop_kernel`).
jupyter_client's own ``shutdown_kernel`` sends SIGINT first, and a kernel still
finishing its last message then logs ``KeyboardInterrupt caught in kernel`` on
our stderr; killing needs no interrupt, and no socket bound to the thread that
started the kernel. Only public names of jupyter_client, nbclient and papermill
are used (``tests/test_public_api.py``).

Kernels are started on whichever thread asks (a run's notebook threads, a
batch worker's area). A lent kernel is idle when it is stopped, its notebook
written. :meth:`KernelPool.close` stops kernels on a thread of its own (a forked batch worker's main thread still holds its parent's
asyncio loop), and a kernel handed back after it is stopped, not kept. Each of those threads
gets an asyncio loop from jupyter_core for talking to kernels;
:func:`close_thread_loop` closes it when the thread's notebook is done (left
open, it warns ``unclosed event loop`` whenever it is collected, in someone else's code).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from analysis_helpers.core.paths import PROJECT_ROOT

log = logging.getLogger(__name__)
KERNEL_NAME = "python3"
#: Run (silently, out of the history) in a kernel before it is lent again.
RESET = """\
get_ipython().run_line_magic("reset", "-f")
import matplotlib.pyplot as _plt, warnings as _warnings
_plt.close("all")
_kept = list(_warnings.filters)
_warnings.resetwarnings()  # forgets which warnings were already shown ...
_warnings.filters[:] = _kept  # ... and keeps the filters themselves
get_ipython().execution_count = 1
del _plt, _warnings, _kept
"""


class PooledKernelManager(AsyncKernelManager):
    """A kernel manager that remembers the clients it made, so their sockets can be closed after each notebook.

    nbclient closes its client only when it owns the kernel; with a lent kernel it leaves that to us.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.made_clients: list = []

    def client(self, **kwargs):
        made = super().client(**kwargs)
        self.made_clients.append(made)
        return made

    def close_clients(self) -> None:
        made, self.made_clients = self.made_clients, []
        for client in made:
            client.stop_channels()


class KernelPool:
    """Idle kernels, lent one notebook at a time (see the module docstring). Close it when the run ends."""

    def __init__(self, cwd: Path = PROJECT_ROOT) -> None:
        self._cwd = Path(cwd)
        self._idle: list[PooledKernelManager] = []
        self._lock = threading.Lock()
        self._closed = False
        self.started = 0  #: kernels started so far (tests read it)

    @contextmanager
    def kernel(self) -> Iterator[PooledKernelManager]:
        """A running kernel with an empty namespace, for one notebook; taken back when the notebook ran."""
        km = self._take()
        ok = False
        try:
            yield km
            ok = True
        finally:
            km.close_clients()
            keep = ok and _alive(km)
            with self._lock:
                keep = keep and not self._closed
                if keep:
                    self._idle.append(km)
            if not keep:
                _stop(km)

    def close(self) -> None:
        """Stop every idle kernel, on a thread of its own (see the module docstring); lend no more."""
        with self._lock:
            idle, self._idle, self._closed = self._idle, [], True
        if idle:
            stopper = threading.Thread(target=_stop_all, args=(idle,), name="send-review-kernels")
            stopper.start()
            stopper.join()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _take(self) -> PooledKernelManager:
        while True:
            with self._lock:
                if self._closed:
                    raise RuntimeError("this KernelPool is closed")
                km = self._idle.pop() if self._idle else None
            if km is None:
                return self._start()
            try:
                run_sync(_reset)(km)
                return km
            except Exception as exc:  # noqa: BLE001 - a kernel that cannot be reset is replaced, not lent
                log.debug("kernel not reused (%s: %s); starting another", type(exc).__name__, exc)
                _stop(km)
            except BaseException:  # Ctrl+C while resetting: the kernel is neither lent nor kept
                _stop(km)
                raise

    def _start(self) -> PooledKernelManager:
        km = PooledKernelManager(kernel_name=KERNEL_NAME)
        # the history in memory, as nbclient does: kernels at once would otherwise queue on one sqlite file
        run_sync(km.start_kernel)(cwd=str(self._cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"])
        with self._lock:
            self.started += 1
        return km


async def _reset(km: PooledKernelManager, timeout: float = 15) -> None:
    """Run :data:`RESET` in ``km``'s kernel; raise if it does not come back ``ok`` within ``timeout`` s (a new kernel takes about 4)."""
    client = km.client()
    try:
        client.start_channels()
        await client.wait_for_ready(timeout=timeout)
        reply = await client.execute_interactive(RESET, silent=True, store_history=False, timeout=timeout,
                                                 output_hook=lambda msg: None)
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"reset failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")
    finally:
        km.close_clients()


def _alive(km: PooledKernelManager) -> bool:
    try:
        return bool(run_sync(km.is_alive)())
    except Exception:  # noqa: BLE001 - a manager that cannot tell is treated as dead
        return False


def _stop(km: PooledKernelManager) -> None:
    try:
        run_sync(stop_kernel)(km)
    except Exception as exc:  # noqa: BLE001 - already gone
        log.debug("kernel shutdown: %s: %s", type(exc).__name__, exc)


async def stop_kernel(km: AsyncKernelManager, timeout: float = 5) -> None:
    """Kill ``km``'s kernel and free its ports and files, sending it no SIGINT (see the module docstring).

    ``km.shutdown_kernel(now=True)`` would do the same after an interrupt; this
    uses the provisioner's public ``kill`` and ``wait`` and the manager's ``cleanup_resources``.
    """
    try:
        if km.has_kernel:
            await km.provisioner.kill()
            await asyncio.wait_for(km.provisioner.wait(), timeout)
    finally:
        await km.cleanup_resources()


def _stop_all(kms: list[PooledKernelManager]) -> None:
    """Stop ``kms`` (on a thread of its own, whose loop is then closed)."""
    for km in kms:
        _stop(km)
    close_thread_loop()


def close_thread_loop() -> None:
    """Close the asyncio loop jupyter_core set for this thread (not the main thread's, nor a running one)."""
    if threading.current_thread() is threading.main_thread():
        return
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:  # this thread never had one
        return
    if not loop.is_running() and not loop.is_closed():
        loop.close()
    asyncio.set_event_loop(None)
