"""Logging: the console's level, and each run's ``run.log``.

Every module logs to ``logging.getLogger(__name__)`` under the package's
logger, ``analysis_helpers``. The command line sets how much reaches the
console (:func:`configure_console`: warnings by default, information with
``--verbose``, errors only with ``--quiet``); a report run writes everything
from information up, and Python warnings, to ``run.log`` beside its
``manifest.json`` (:func:`run_log`), whatever the console shows.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PACKAGE_LOGGER = "analysis_helpers"
#: Where Python's ``warnings`` go once :func:`logging.captureWarnings` is on.
WARNINGS_LOGGER = "py.warnings"
CONSOLE_FORMAT = "send-review: %(levelname)s: %(message)s"
FILE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
#: ``log.error(..., extra=FILE_ONLY)``: for run.log only (the command line prints the error line itself).
FILE_ONLY = {"console": False}
LEVELS = {"quiet": logging.ERROR, "default": logging.WARNING, "verbose": logging.INFO}
#: The loggers a run listens to, and the least level taken from each (papermill's information is its progress chatter).
LOGGERS = {PACKAGE_LOGGER: logging.INFO, WARNINGS_LOGGER: logging.INFO, "papermill": logging.WARNING}


class _ConsoleHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record arrives (so redirection and test capture work)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr  # not setStream: that flushes the old stream, which may be closed by now
        super().emit(record)

    def filter(self, record: logging.LogRecord) -> bool:
        """Records logged with ``extra=FILE_ONLY`` (e.g. an error the command line prints itself) stay off the console."""
        return getattr(record, "console", True) and super().filter(record)


class _RunLogHandler(logging.FileHandler):
    """``run.log``'s handler: a record it cannot write (a full disk) is dropped, not printed as a traceback on stderr;
    the run meets the same error itself and stops with one line naming it."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        pass


def configure_console(level: str = "default") -> None:
    """Show records of ``level`` (``quiet``, ``default`` or ``verbose``) and above on stderr; idempotent."""
    for name, least in LOGGERS.items():
        logger = logging.getLogger(name)
        logger.setLevel(least)  # the run log needs information even when the console shows only warnings
        for handler in [h for h in logger.handlers if isinstance(h, _ConsoleHandler)]:
            logger.removeHandler(handler)
        console = _ConsoleHandler()
        console.setLevel(LEVELS[level])
        console.setFormatter(logging.Formatter(CONSOLE_FORMAT))
        logger.addHandler(console)
    logging.captureWarnings(True)


@contextmanager
def run_log(path: Path) -> Iterator[logging.Logger]:
    """Write the package's records (information and up), Python warnings and papermill's warnings to ``path`` while the block runs."""
    handler = _RunLogHandler(path, mode="w", encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(FILE_FORMAT, datefmt="%Y-%m-%dT%H:%M:%S"))
    previous = {name: logging.getLogger(name).level for name in LOGGERS}
    capturing = getattr(logging, "_warnings_showwarning", None) is not None  # already on (configure_console)
    for name, least in LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level > least:
            logger.setLevel(least)
        logger.addHandler(handler)
    logging.captureWarnings(True)
    try:
        yield logging.getLogger(PACKAGE_LOGGER)
    finally:
        for name, level in previous.items():
            logging.getLogger(name).removeHandler(handler)
            logging.getLogger(name).setLevel(level)
        if not capturing:
            logging.captureWarnings(False)
        handler.close()
