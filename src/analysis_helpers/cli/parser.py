"""The ``send-review`` argument parser: one-line usage errors, global options before or after the command,
choices from the package's registries."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from analysis_helpers.analysis.projection import MODELS
from analysis_helpers.cli.commands import (
    cmd_areas,
    cmd_backtest,
    cmd_batch,
    cmd_compare,
    cmd_funnel,
    cmd_kpis,
    cmd_outlook,
    cmd_project,
    cmd_run,
    cmd_validate,
)
from analysis_helpers.core.paths import local_dir, outlook_assumptions_file, targets_file
from analysis_helpers.core.small_numbers import MIN_DENOMINATOR, SMALL_COUNT_SHOWN
from analysis_helpers.core.vintage import today
from analysis_helpers.data.local_feed import LOCAL_MEASURES as FEED_MEASURES
from analysis_helpers.data.neighbours import DEFAULT_VINTAGE, VINTAGES
from analysis_helpers.domain.areas import LEVEL_ORDER
from analysis_helpers.domain.breakdowns import BREAKDOWNS
from analysis_helpers.domain.history import ADAPTER
from analysis_helpers.domain.measures import HEADLINE_MEASURE, MEASURE_NAMES
from analysis_helpers.domain.outlook_files import LEVERS, OPENABLE

FORMATS = ("table", "csv")
LEVELS = tuple(LEVEL_ORDER)
#: ``project`` works on DfE measures and on the measures councils' feeds carry.
PROJECT_MEASURES = tuple(dict.fromkeys([*MEASURE_NAMES, *FEED_MEASURES]))
GLOBAL_OPTIONS = ("--release", "--debug", "--verbose", "--quiet")


class UsageError(Exception):
    """A command line that argparse (or the checks around it) refuses: one line, exit 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block) and no abbreviated options."""

    def __init__(self, *args, allow_abbrev: bool = False, **kwargs):
        super().__init__(*args, allow_abbrev=allow_abbrev, **kwargs)

    def error(self, message: str):
        command = self.prog.removeprefix("send-review").strip()
        raise UsageError(f"send-review: error: {command + ': ' if command else ''}{message}")


def _one_of(kind: str, valid, plural: str = "") -> callable:
    """An argparse ``type`` accepting only ``valid`` (in any case); the error names them all, on one line."""
    valid = tuple(str(v) for v in valid)
    folded = {v.casefold(): v for v in valid}

    def check(text: str) -> str:
        if text.casefold() not in folded:
            raise argparse.ArgumentTypeError(f"unknown {kind} {text!r}; valid {plural or kind + 's'}: {', '.join(valid)}")
        return folded[text.casefold()]

    return check


def _existing_path(text: str) -> Path:
    """An argparse ``type`` for a file or folder that must exist: a missing one is refused, never replaced by a default."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{text} does not exist; give an existing feed file (.csv/.xlsx) or folder")
    return path


def _existing_file(text: str) -> Path:
    """An argparse ``type`` for a CSV file that must exist (a scenario or the assumptions)."""
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text} is not a file; give an existing CSV file")
    return path


def _positive_int(text: str) -> int:
    """An argparse ``type`` for a count of workers: a whole number of at least 1 (0 never means "all")."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _past_date(text: str) -> str:
    """An argparse ``type`` for a data date: YYYY-MM-DD, not after today (the same words for every command)."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None
    if day > today():
        raise argparse.ArgumentTypeError(f"{day} is after today ({today()}); only data already published can be used")
    return text


def _add_global_options(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """--release, --debug, --verbose, --quiet; default SUPPRESS so a later position never overwrites an earlier one."""
    group = parser.add_argument_group("global options (before or after the command)")
    group.add_argument("--release", dest=prefix + "release", type=Path, metavar="PATH", default=argparse.SUPPRESS,
                       help="DfE release zip or folder (default: the embedded one)")
    group.add_argument("--debug", dest=prefix + "debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the full traceback on error")
    group.add_argument("--verbose", dest=prefix + "verbose", action="store_true", default=argparse.SUPPRESS,
                       help="also show progress information (files read, notebooks run)")
    group.add_argument("--quiet", dest=prefix + "quiet", action="store_true", default=argparse.SUPPRESS,
                       help="show errors only (tables asked for are still printed)")


def _command(sub, name: str, func, help_text: str, table: bool = False) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_text, description=help_text)
    _add_global_options(p)
    if table:  # the commands that print a table
        p.add_argument("--format", type=_one_of("format", FORMATS), default="table", metavar="{table,csv}", help="output format")
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="send-review",
                    description="SEND review workbook: KPIs, comparators and quarterly reports from DfE SEN2 statistics.")
    _add_global_options(parser, prefix="before_")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    measure = _one_of("measure", MEASURE_NAMES)

    p = _command(sub, "areas", cmd_areas, "list England, the regions and every LA with codes", table=True)
    p.add_argument("--level", type=_one_of("level", LEVELS), default=None, help=f"only this level: {', '.join(LEVELS)}")

    p = _command(sub, "kpis", cmd_kpis, "print the tidy KPI table for one or more areas", table=True)
    p.add_argument("--area", action="append", required=True, help="area name, LA number or GSS code (repeatable)")
    p.add_argument("--measure", action="extend", nargs="+", type=measure, metavar="NAME",
                   help="measure names (--measure A B, or repeated; default: all)")
    p.add_argument("--local", nargs="?", const=local_dir(), type=_existing_path, default=None,
                   help="also merge the council's figures from this feed file or folder (default folder: data/local/); adds a basis column")
    p.add_argument("--breakdown", type=_one_of("breakdown", BREAKDOWNS), default=None, metavar="{" + ",".join(BREAKDOWNS) + "}",
                   help="DfE's figures by age, sex, ethnicity or placement (adds breakdown_topic and breakdown after measure; "
                        f"small counts hidden as {SMALL_COUNT_SHOWN}, rates on fewer than {MIN_DENOMINATOR} suppressed)")

    p = _command(sub, "validate", cmd_validate, "check a local figures feed (file or folder); exit 0 or 2")
    p.add_argument("path", type=Path, nargs="?", default=local_dir(), help="feed file (.csv/.xlsx) or folder (default: data/local/)")

    p = _command(sub, "compare", cmd_compare, "one area against England, its region and its neighbours", table=True)
    p.add_argument("--area", required=True, help="area name, LA number or GSS code")
    p.add_argument("--measure", required=True, type=measure, metavar="NAME", help="measure name (see the README)")
    p.add_argument("--period", default=None, help="period label such as 2023 or 2024/25 (default: latest with data)")
    p.add_argument("--neighbours", type=_one_of("neighbour list", VINTAGES), default=DEFAULT_VINTAGE,
                   help=f"DfE statistical neighbour list: {', '.join(VINTAGES)} (default {DEFAULT_VINTAGE})")

    p = _command(sub, "funnel", cmd_funnel, "every LA's rate around England's, with binomial and overdispersion-adjusted "
                 "95%% and 99.8%% limits", table=True)
    p.add_argument("--measure", required=True, type=measure, metavar="NAME", help="a proportion (a measure ending _pct)")
    p.add_argument("--period", default=None, help="period label such as 2024 or 2024/25 (default: latest with data)")

    p = _command(sub, "project", cmd_project, "projection with intervals, required path and target", table=True)
    p.add_argument("--area", required=True, help="area name, LA number or GSS code")
    p.add_argument("--measure", required=True, type=_one_of("measure", PROJECT_MEASURES), metavar="NAME",
                   help="a DfE measure or one a council feed carries")
    p.add_argument("--as-of", dest="as_of", type=_past_date, default=None, help="use only data published by this date (YYYY-MM-DD)")
    p.add_argument("--horizon", default=None, help="last month to project to, YYYY-MM (default: 3 periods or a year past the target)")
    p.add_argument("--model", type=_one_of("model", MODELS), default=None,
                   help=f"{', '.join(MODELS)} (default: chosen by the backtest)")
    p.add_argument("--target", type=float, default=None, help="an ad hoc target value (default: the area's row in data/targets.csv)")
    p.add_argument("--by", default=None, help="date the ad hoc --target is due (YYYY-MM-DD)")
    p.add_argument("--targets", type=Path, default=targets_file(), help="targets file (default: data/targets.csv)")
    p.add_argument("--local", type=_existing_path, default=local_dir(), help="local figures feed file or folder (default: data/local/)")
    p.add_argument("--basis", type=_one_of("basis", ("dfe", "local"), "bases"), default=None,
                   help="dfe: DfE statistics; local: the council's monthly figures (default: the series the area's target "
                        "for the measure is tracked on, else dfe)")

    p = _command(sub, "outlook", cmd_outlook, "high-needs outlook: caseload, spend, grant, gap and deficit by year to "
                 "2029-30, with scenarios and goal-seek", table=True)
    p.add_argument("--area", required=True, help="a local authority: name, LA number or GSS code")
    p.add_argument("--scenario", type=_existing_file, default=None, help="a scenario file (CSV, one lever a row; see the README)")
    p.add_argument("--goal-seek", dest="goal_seek", type=_one_of("lever", tuple(LEVERS)), default=None, metavar="LEVER",
                   help=f"the value of this lever that balances the target year: {', '.join(LEVERS)}")
    p.add_argument("--placement", type=_one_of("placement", OPENABLE), default=None,
                   help="the placement type whose places open (with --goal-seek places_opened)")
    p.add_argument("--as-of", dest="as_of", type=_past_date, default=None, help="use only data published by this date (YYYY-MM-DD)")
    p.add_argument("--assumptions", type=_existing_file, default=outlook_assumptions_file(),
                   help="assumptions file (default: data/outlook_assumptions.csv)")
    p.add_argument("--targets", type=Path, default=targets_file(), help="targets file (default: data/targets.csv)")
    p.add_argument("--local", type=_existing_path, default=local_dir(), help="local figures feed file or folder (default: data/local/)")

    p = _command(sub, "backtest", cmd_backtest, "forecast every LA's next year from earlier years; coverage and MAE", table=True)
    p.add_argument("--measure", type=_one_of("measure", ADAPTER), default=HEADLINE_MEASURE,
                   metavar="NAME", help=f"a timeliness measure with a long history: {', '.join(ADAPTER)}")

    for name, func, help_text in (("run", cmd_run, "run the review notebooks for one area and write the HTML report"),
                                  ("batch", cmd_batch, "run the review for many areas in parallel and index them")):
        p = _command(sub, name, func, help_text)
        if name == "run":
            p.add_argument("--area", default="Kent", help="area name, LA number or GSS code (default: Kent)")
        else:
            chosen = p.add_mutually_exclusive_group(required=True)
            chosen.add_argument("--areas", help='all, region:"South East", or a list such as Kent,Essex ("Bristol, City of" in quotes)')
            chosen.add_argument("--area", dest="area_names", action="append",
                                help="one area (repeatable): --area \"Bristol, City of\" --area Essex")
            chosen.add_argument("--areas-file", dest="areas_file", type=Path, help="a file of areas, one name, LA number or code a line")
        p.add_argument("--quarter", default=None,
                       help="calendar quarter such as 2024-Q4 (default: the last quarter completed on the run date)")
        p.add_argument("--as-of", dest="as_of", type=_past_date, default=None, help="use only data published by this date (YYYY-MM-DD)")
        p.add_argument("--out", type=Path, default=None, help="reports folder (default: reports/)")
        p.add_argument("--local", type=_existing_path, default=None, help="local figures feed file or folder (default: data/local/)")
        p.add_argument("--no-pdf", dest="no_pdf", action="store_true",
                       help="write no index.pdf (by default the review is also printed to A4 with the system Chromium)")
    p.add_argument("--jobs", type=_positive_int, default=None, help="areas run at once (default: number of CPUs)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (e.g. in logs)")
    p.add_argument("--details", action="store_true", help="also write each area's baselines, trajectories and high-needs reports (slower)")
    return parser


def _check_order(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Refuse, in one line, a command's option written before the command."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    index = 0
    while index < len(argv) and argv[index] not in commands:
        token, name = argv[index], argv[index].split("=", 1)[0]
        if not token.startswith("-") or name in ("-h", "--help"):
            return  # argparse names the valid commands
        if name not in GLOBAL_OPTIONS:
            owners = [c for c, p in commands.items() if name in p._option_string_actions]
            raise UsageError(f"send-review: error: {name} goes after the command (it is an option of {', '.join(owners)}); "
                             f"only {', '.join(GLOBAL_OPTIONS)} may come before it" if owners
                             else f"send-review: error: unknown option {name}")
        index += 2 if token == "--release" else 1


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line; merge the global options given before and after the command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    _check_order(parser, argv)
    args = parser.parse_args(argv)
    for name, default in {"release": None, "debug": False, "verbose": False, "quiet": False}.items():
        before, after = getattr(args, "before_" + name, default), getattr(args, name, default)
        if default != before != after != default:
            raise UsageError(f"send-review: error: --{name} is given twice with different values ({before}, {after}); give it once")
        setattr(args, name, before if after == default else after)
    if args.verbose and args.quiet:
        raise UsageError("send-review: error: --verbose and --quiet contradict each other; give one of them")
    return args
