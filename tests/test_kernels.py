"""A kernel lent again is cleared: a notebook run in it sees what it would see in a fresh kernel.

Each check runs small notebooks through :func:`execute` with a :class:`KernelPool`
and reads the executed notebook back. ``tests/e2e/test_batch.py`` checks the
same on real reviews (a worker's second area is byte-identical to a run of its own).
"""

import os
import signal
import time

import nbformat
import pytest

from analysis_helpers.core.errors import ReportError
from analysis_helpers.pipeline.execute import execute
from analysis_helpers.pipeline.kernels import KernelPool


def notebook(tmp_path, name: str, *sources: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def run(pool, path, tmp_path):
    executed = tmp_path / f"{path.stem}.out.ipynb"
    with pool.kernel() as km:
        execute(path, executed, {}, failed_dir=tmp_path / "failed", km=km)
    return nbformat.read(executed, as_version=4)


def text(nb, index: int, stream: str = "stdout") -> str:
    """What the ``index``-th code cell wrote on ``stream`` (papermill puts a markdown cell first in a failed notebook)."""
    cell = [c for c in nb.cells if c.cell_type == "code"][index]
    return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == stream)


@pytest.fixture
def pool():
    with KernelPool() as kernels:
        yield kernels


def test_a_second_notebook_gets_the_same_kernel_with_nothing_left_over(pool, tmp_path):
    first = notebook(tmp_path, "first", "import os\nleft_over = 41\nprint(os.getpid())",
                     "import matplotlib.pyplot as plt\nfigure = plt.figure()\nprint(len(plt.get_fignums()))")
    second = notebook(tmp_path, "second", "import os\nprint(os.getpid())",
                      "print(sorted(n for n in ('left_over', 'figure', 'plt') if n in dir()))",
                      "import matplotlib.pyplot as plt\nprint(len(plt.get_fignums()))")
    one, two = run(pool, first, tmp_path), run(pool, second, tmp_path)
    assert pool.started == 1
    assert text(one, 0) == text(two, 0)  # the same kernel process ...
    assert text(one, 1) == "1\n"
    assert text(two, 1) == "[]\n"  # ... with none of the first notebook's names
    assert text(two, 2) == "0\n"  # nor its figures
    assert [c.execution_count for c in two.cells] == [1, 2, 3]  # cells numbered from 1 again


def test_a_warning_is_shown_again_in_the_next_notebook(pool, tmp_path):
    # from a module, as the package's warnings are: Python shows one once per place unless told to forget
    (tmp_path / "noisy.py").write_text("import warnings\n\n\ndef warn():\n    warnings.warn('check the feed')\n")
    # (matplotlib imported first, as every review does: importing it would itself make Python forget)
    warns = notebook(tmp_path, "warns", "import matplotlib.pyplot",
                     f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport noisy\nnoisy.warn()")
    one, two = run(pool, warns, tmp_path), run(pool, warns, tmp_path)
    assert pool.started == 1
    assert "check the feed" in text(one, 1, "stderr") and "check the feed" in text(two, 1, "stderr")


def test_a_kernel_whose_notebook_failed_is_not_lent_again(pool, tmp_path):
    pid = notebook(tmp_path, "pid", "import os\nprint(os.getpid())")
    fails = notebook(tmp_path, "fails", "import os\nprint(os.getpid())", "1 / 0")
    with pytest.raises(ReportError, match="cell 2 failed with ZeroDivisionError"):
        run(pool, fails, tmp_path)
    failed_pid = text(nbformat.read(tmp_path / "fails.out.ipynb", as_version=4), 0)
    after = run(pool, pid, tmp_path)
    assert pool.started == 2 and text(after, 0) != failed_pid


def test_a_kernel_that_died_is_replaced(pool, tmp_path):
    pid = notebook(tmp_path, "pid", "import os\nprint(os.getpid())")
    first = run(pool, pid, tmp_path)
    os.kill(int(text(first, 0)), signal.SIGKILL)  # dies while idle in the pool
    for _ in range(100):
        if not pool._idle[0].provisioner.has_process or pool._idle[0].provisioner.process.poll() is not None:
            break
        time.sleep(0.05)
    after = run(pool, pid, tmp_path)
    assert pool.started == 2 and text(after, 0) != text(first, 0)


def test_closing_the_pool_stops_its_kernels(tmp_path):
    pool = KernelPool()
    run(pool, notebook(tmp_path, "pid", "x = 1"), tmp_path)
    kept = list(pool._idle)
    assert len(kept) == 1
    pool.close()
    assert pool._idle == [] and not any(km.has_kernel for km in kept)


def test_a_notebook_thread_leaves_no_event_loop_open():
    """Each notebook thread talks to its kernel through an asyncio loop of its own; it is closed when the thread ends.

    Left open, a loop warns ``unclosed event loop`` whenever it is collected, in whatever code runs then
    (a chart test once failed on it)."""
    import asyncio
    import gc
    import threading
    import warnings

    from jupyter_core.utils import run_sync

    from analysis_helpers.pipeline.kernels import close_thread_loop

    async def nothing():
        await asyncio.sleep(0)

    def notebook_thread(close: bool):
        run_sync(nothing)()  # as nbclient and the pool do: jupyter_core makes the thread a loop
        if close:
            close_thread_loop()

    def unclosed_after(close: bool) -> list[str]:
        gc.collect()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            thread = threading.Thread(target=notebook_thread, args=(close,))
            thread.start()
            thread.join()
            del thread
            gc.collect()
        return [str(w.message) for w in caught if "unclosed event loop" in str(w.message)]

    assert unclosed_after(close=False)  # the leak this guards against
    assert unclosed_after(close=True) == []
    # on the main thread: nothing to do, nothing closed (a loop of its own, so what other tests left on this
    # thread cannot decide the answer)
    main_loop = asyncio.new_event_loop()
    asyncio.set_event_loop(main_loop)
    try:
        close_thread_loop()
        assert not main_loop.is_closed()
    finally:
        main_loop.close()
        asyncio.set_event_loop(None)


def test_a_closed_pool_lends_no_kernel_and_stops_one_handed_back(tmp_path):
    pool = KernelPool()
    with pool.kernel() as km:
        pool.close()  # e.g. a second Ctrl+C while a notebook still runs
    assert not km.has_kernel and pool._idle == []
    with pytest.raises(RuntimeError, match="closed"), pool.kernel():
        pass
    assert pool.started == 1


def test_a_notebook_without_a_lent_kernel_gets_one_of_its_own_stopped_afterwards(tmp_path):
    """execute() without ``km`` borrows from a pool of one, so nbclient never shuts a kernel down (with a SIGINT first)."""
    executed = tmp_path / "pid.out.ipynb"
    execute(notebook(tmp_path, "pid", "import os\nprint(os.getpid())"), executed, {}, failed_dir=tmp_path / "failed")
    pid = int(text(nbformat.read(executed, as_version=4), 0))
    with pytest.raises(ProcessLookupError):  # stopped and reaped, not left running
        os.kill(pid, 0)


def test_two_notebooks_failing_at_once_each_report_their_own_error(pool, tmp_path):
    """A run's notebooks execute on parallel threads; each ReportError names its own notebook's cell and error.

    Each notebook waits (up to 60 s) until the other is running before it raises, so the two fail together."""
    from concurrent.futures import ThreadPoolExecutor

    from analysis_helpers.pipeline.kernels import close_thread_loop

    def meet(me: str, other: str) -> str:
        return (f"import pathlib, time\npathlib.Path({str(tmp_path / me)!r}).touch()\ndeadline = time.time() + 60\n"
                f"while not pathlib.Path({str(tmp_path / other)!r}).exists() and time.time() < deadline:\n    time.sleep(0.05)\n")

    first = notebook(tmp_path, "first", "x = 1", meet("first.ready", "second.ready") + "raise ValueError('the feed for Essex is short')")
    second = notebook(tmp_path, "second", "y = 2", "z = 3",
                      meet("second.ready", "first.ready") + "raise KeyError('second_notebook_measure')")

    def fails(path) -> str:
        try:
            with pool.kernel() as km, pytest.raises(ReportError) as info:
                execute(path, tmp_path / f"{path.stem}.out.ipynb", {}, failed_dir=tmp_path / "failed", km=km)
            return str(info.value)
        finally:
            close_thread_loop()

    with ThreadPoolExecutor(max_workers=2) as threads:
        one, two = threads.map(fails, [first, second])
    assert pool.started == 2
    assert one.startswith("first.ipynb: cell 2 failed with ValueError: the feed for Essex is short (failed notebook kept at ")
    assert two.startswith("second.ipynb: cell 3 failed with KeyError: 'second_notebook_measure' (failed notebook kept at ")
    assert "second_notebook_measure" not in one and "Essex" not in two
    for name, error in (("first", "ValueError"), ("second", "KeyError")):
        kept = nbformat.read(tmp_path / "failed" / f"{name}.ipynb", as_version=4)
        assert [o.ename for c in kept.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"] == [error]
