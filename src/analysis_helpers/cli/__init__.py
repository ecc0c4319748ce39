"""``send-review``: the command line. The only module that parses arguments, prints and sets exit codes.

Global options (``--release``, ``--debug``, ``--verbose``, ``--quiet``) mean the same before or after the
command; any other option written before the command is refused with one line. Choices (``--model``,
``--neighbours``, ``--measure``, ``--format``, ``--level``) come from the package's registries; an unknown
one is refused with one line listing the valid ones.

Exit codes: 0 success; 2 bad input, a usage error, a failed run or a reports folder that cannot be written (one
line on stderr); 3 a batch in which some areas failed (the others were written); 1 an unexpected internal error (a
bug: rerun with ``--debug``); 130, 143 or 129 stopped by SIGINT, SIGTERM or SIGHUP, with every process the
command started (:mod:`.interrupts`).
"""

from __future__ import annotations

import sys

from analysis_helpers.cli.commands import EXIT_BUG, EXIT_OK, EXIT_USER_ERROR
from analysis_helpers.cli.interrupts import Interrupted, leave, stopping_together
from analysis_helpers.cli.parser import UsageError, parse
from analysis_helpers.core.errors import SendReviewError
from analysis_helpers.pipeline.logs import configure_console


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse(argv)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USER_ERROR
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    configure_console("quiet" if args.quiet else "verbose" if args.verbose else "default")
    try:
        with stopping_together():
            return args.func(args)
    except Interrupted as stop:
        leave(stop.signum)  # one line, and the process ends here: its children are gone (see cli.interrupts)
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK
    except Exception as exc:
        if args.debug:
            raise
        if isinstance(exc, SendReviewError):
            print(f"send-review: error: {exc}", file=sys.stderr)
            return EXIT_USER_ERROR
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"send-review: internal error (a bug): {type(exc).__name__}: {first}; rerun with --debug to see the traceback",
              file=sys.stderr)
        return EXIT_BUG

