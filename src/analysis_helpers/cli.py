"""``send-review``: the command line. The only module that parses arguments, prints and sets exit codes.

Global options (``--release``, ``--debug``, ``--verbose``, ``--quiet``) mean the same before or after the
command; any other option written before the command is refused with one line. Choices (``--model``,
``--neighbours``, ``--measure``, ``--format``, ``--level``) come from the package's registries; an unknown
one is refused with one line listing the valid ones.

Exit codes: 0 success; 2 bad input, a usage error or a failed run (one line on stderr); 3 a batch in which
some areas failed (the others were written); 1 an unexpected internal error (a bug: rerun with ``--debug``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import replace
from numbers import Integral, Real
from pathlib import Path

import pandas as pd

from analysis_helpers.analysis.backtest import cached_backtest, choose_default
from analysis_helpers.analysis.compare import compare
from analysis_helpers.analysis.outlook import build_outlook
from analysis_helpers.analysis.projection import MODELS
from analysis_helpers.core.errors import ParameterError, SendReviewError
from analysis_helpers.core.formatting import fmt_count, is_missing
from analysis_helpers.core.paths import LOCAL_DIR, TARGETS_FILE
from analysis_helpers.data.local_feed import LOCAL_MEASURES as FEED_MEASURES
from analysis_helpers.data.local_feed import area_feed, feed_files, local_kpi_rows, validate_feed
from analysis_helpers.data.neighbours import DEFAULT_VINTAGE, VINTAGES
from analysis_helpers.data.release import open_release
from analysis_helpers.domain.areas import LEVEL_ORDER
from analysis_helpers.domain.history import ADAPTER
from analysis_helpers.domain.kpis import areas_for, kpis_for
from analysis_helpers.domain.measures import MEASURE_NAMES
from analysis_helpers.domain.targets import Target, measure_unit, read_targets
from analysis_helpers.pipeline.batch import run_batch
from analysis_helpers.pipeline.logs import configure_console
from analysis_helpers.pipeline.report import run_quarterly
from analysis_helpers.reporting import disclosure

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USER_ERROR = 2
EXIT_SOME_FAILED = 3

FORMATS = ("table", "csv")
LEVELS = tuple(LEVEL_ORDER)
#: ``project`` works on DfE measures and on the measures councils' feeds carry.
PROJECT_MEASURES = tuple(dict.fromkeys([*MEASURE_NAMES, *FEED_MEASURES]))
GLOBAL_OPTIONS = ("--release", "--debug", "--verbose", "--quiet")
INTEGER_COLUMNS = ("numerator", "denominator", "n", "n_areas", "rank", "of", "plans_short")
#: Columns in the measure's unit: counts are written without ``.0``.
VALUE_COLUMNS = ("value", "ci_low", "ci_high", "previous_value", "change", "value_projected", "pi80_low", "pi80_high",
                 "pi95_low", "pi95_high", "required", "target", "latest_value", "baseline_value", "target_value", "required_now")


class UsageError(Exception):
    """A command line that argparse (or the checks around it) refuses: one line, exit 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block) and no abbreviated options."""

    def __init__(self, *args, allow_abbrev: bool = False, **kwargs):
        super().__init__(*args, allow_abbrev=allow_abbrev, **kwargs)

    def error(self, message: str):
        command = self.prog.removeprefix("send-review").strip()
        raise UsageError(f"send-review: error: {command + ': ' if command else ''}{message}")


def _number(value, unit: str | None, csv: bool = False):
    """A cell: counts without ``.0`` (``19,407``; CSV ``19407``), other numbers to one decimal place (CSV: 6)."""
    if is_missing(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, Real) or (unit is None and isinstance(value, Integral)):
        return value
    if unit == "count":
        return (int(value) if float(value).is_integer() else value) if csv else fmt_count(value)
    return round(float(value), 6) if csv else f"{float(value):,.1f}"


def _shown(frame: pd.DataFrame, unit: str | None, csv: bool) -> pd.DataFrame:
    """The frame as printed; ``unit`` is the measure's, unless the frame has a ``unit`` column."""
    shown = frame.copy().astype(object)
    units = list(frame["unit"]) if "unit" in frame.columns else [unit] * len(frame)
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind == "M":
            shown[column] = values.dt.strftime("%Y-%m-%d").fillna("")
        elif "p_value" in column:
            shown[column] = ["" if is_missing(v) else v if csv else f"{v:.2g}" for v in values]
        else:
            kinds = ["count"] * len(frame) if column in INTEGER_COLUMNS else units if column in VALUE_COLUMNS else [None] * len(frame)
            shown[column] = [_number(v, u, csv) for v, u in zip(values, kinds, strict=True)]
    return shown


def emit(frame: pd.DataFrame, fmt: str, unit: str | None = None) -> None:
    """Print a table as CSV (full precision, counts as integers) or as text (counts as ``19,407``)."""
    shown = _shown(frame, unit, csv=fmt == "csv")
    if fmt == "csv":
        shown.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(shown.to_string(index=False))


def say(args, text: str) -> None:
    """A result line (not a table the command was asked for): not shown with ``--quiet``."""
    if not args.quiet:
        print(text)


# -- commands ----------------------------------------------------------------
def cmd_areas(args) -> int:
    frame = areas_for(open_release(args.release)).to_frame()
    if args.level:
        frame = frame[frame["geographic_level"] == args.level]
    emit(frame, args.format)
    return EXIT_OK


def cmd_kpis(args) -> int:
    release = open_release(args.release)
    table = kpis_for(args.area, args.measure, release)
    if args.local is not None:  # merge the areas' council figures, with their basis
        table = table.assign(basis="DfE statistics")
        parts = [table]
        for query in args.area:
            area = areas_for(release).get(query)
            local = local_kpi_rows(area_feed(area.slug, args.local), area.code, area.name)
            if args.measure:
                local = local[local["measure"].isin(args.measure)]
            parts.append(local[list(table.columns)])
        table = disclosure.apply(pd.concat([p for p in parts if len(p)], ignore_index=True))
    emit(table, args.format)
    return EXIT_OK


def cmd_validate(args) -> int:
    problems_total = 0
    for path in feed_files(args.path):
        frame, problems, notes = validate_feed(path)
        for note in notes:
            say(args, f"note: {note}")
        for problem in problems:
            print(str(problem), file=sys.stderr)
        problems_total += len(problems)
        say(args, f"{path.name}: {fmt_count(len(frame))} figures read, {fmt_count(len(problems))} problem(s)")
    return EXIT_USER_ERROR if problems_total else EXIT_OK


def cmd_compare(args) -> int:
    table = compare(args.area, args.measure, args.period, args.neighbours, open_release(args.release))
    emit(table, args.format, measure_unit(args.measure))
    return EXIT_OK


def ad_hoc_target(area_name: str, measure: str, value: float, due: dt.date) -> Target:
    """A target given on the command line (its baseline, the latest figure, is filled in by :func:`cmd_project`)."""
    return Target(
        target_id="ad hoc", area=area_name, measure=measure, unit=measure_unit(measure) or "pct", denominator="",
        baseline_value=None, baseline_date=dt.date.today(), baseline_source="", target_value=value, target_date=due,
        date_basis="given on the command line", source_title="", source_url="", quote="", row=0,
    )


def cmd_project(args) -> int:
    release = open_release(args.release)
    areas = areas_for(release)
    area = areas.get(args.area)
    as_of = _date(args.as_of, "--as-of") if args.as_of else None
    horizon = None
    if args.horizon:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.horizon):
            raise ParameterError(f"--horizon must look like 2027-12 (a year and a month), got {args.horizon!r}")
        horizon = pd.Timestamp(args.horizon + "-01") + pd.offsets.MonthEnd(0)
    if args.target is not None:
        if not args.by:
            raise ParameterError("--target needs --by YYYY-MM-DD (the date the target is due)")
        target = ad_hoc_target(area.name, args.measure, args.target, _date(args.by, "--by"))
    else:
        target = next((t for t in read_targets(args.targets) if t.measure == args.measure and areas.get(t.area).code == area.code), None)
    options = {"as_of": as_of, "model": args.model, "horizon": horizon, "release": release, "local": args.local, "basis": args.basis}
    outlook = build_outlook(area, args.measure, target, **options)
    if target is not None and target.target_id == "ad hoc" and len(outlook.observed):
        latest = outlook.observed.iloc[-1]
        baseline = {"baseline_value": float(latest["value"]), "baseline_date": pd.Timestamp(latest["period_end"]).date()}
        outlook = build_outlook(area, args.measure, replace(target, **baseline), **options)
    unit = measure_unit(args.measure)
    lines = [f"{key}: {_summary_value(key, value, unit)}" for key, value in outlook.summary().items()]
    if args.format == "csv":
        print("\n".join(f"# {line}" for line in lines))
        emit(outlook.projection_rows(), "csv", unit)
    else:
        emit(outlook.projection_rows(), "table", unit)
        print("\n" + "\n".join(lines))
    return EXIT_OK


def _summary_value(key: str, value, unit: str | None) -> str:
    if key in VALUE_COLUMNS or key in INTEGER_COLUMNS:
        return str(_number(value, "count" if key in INTEGER_COLUMNS else unit))
    if isinstance(value, float):
        return "" if is_missing(value) else f"{value:.4g}" if abs(value) < 1 else f"{value:,.1f}"
    return str(value)


def _date(text: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"{flag} must be a date written YYYY-MM-DD, got {text!r}") from None


def cmd_backtest(args) -> int:
    table = cached_backtest(args.measure, release=open_release(args.release))
    emit(table, args.format)
    if args.format == "table":
        say(args, f"\ndefault model chosen: {choose_default(table)}")
    return EXIT_OK


def cmd_batch(args) -> int:
    results, index = run_batch(args.areas, args.quarter, args.as_of, args.out, args.jobs, args.release,
                               progress=not (args.no_progress or args.quiet), local=args.local, details=args.details)
    width = max(len(r.area) for r in results) if results else 4
    for r in results:  # with --quiet, only the failures (on stderr)
        if not (r.ok and args.quiet):
            print(f"{r.area:<{width}}  {'ok    ' if r.ok else 'FAILED'}  {r.seconds:6.1f} s" + (f"  {r.error}" if not r.ok else ""),
                  file=sys.stderr if args.quiet else sys.stdout)
    failed = sum(not r.ok for r in results)
    say(args, f"{fmt_count(len(results) - failed)} ok, {fmt_count(failed)} failed; index: {index}")
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_run(args) -> int:
    result = run_quarterly(area=args.area, quarter=args.quarter, as_of=args.as_of, out_dir=args.out, release=args.release, local=args.local)
    say(args, f"report written: {result}")
    return EXIT_OK


def _one_of(kind: str, valid, plural: str = "") -> callable:
    """An argparse ``type`` accepting only ``valid``; the error names them all, on one line."""
    valid = tuple(str(v) for v in valid)

    def check(text: str) -> str:
        if text not in valid:
            raise argparse.ArgumentTypeError(f"unknown {kind} {text!r}; valid {plural or kind + 's'}: {', '.join(valid)}")
        return text

    return check


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
    p.add_argument("--measure", action="append", type=measure, metavar="NAME", help="measure name (repeatable; default: all)")
    p.add_argument("--local", nargs="?", const=LOCAL_DIR, type=Path, default=None,
                   help="also merge the council's figures from this feed file or folder (default folder: data/local/); adds a basis column")

    p = _command(sub, "validate", cmd_validate, "check a local figures feed (file or folder); exit 0 or 2")
    p.add_argument("path", type=Path, nargs="?", default=LOCAL_DIR, help="feed file (.csv/.xlsx) or folder (default: data/local/)")

    p = _command(sub, "compare", cmd_compare, "one area against England, its region and its neighbours", table=True)
    p.add_argument("--area", required=True, help="area name, LA number or GSS code")
    p.add_argument("--measure", required=True, type=measure, metavar="NAME", help="measure name (see the README)")
    p.add_argument("--period", default=None, help="period label such as 2023 or 2024/25 (default: latest with data)")
    p.add_argument("--neighbours", type=_one_of("neighbour list", VINTAGES), default=DEFAULT_VINTAGE,
                   help=f"DfE statistical neighbour list: {', '.join(VINTAGES)} (default {DEFAULT_VINTAGE})")

    p = _command(sub, "project", cmd_project, "projection with intervals, required path and target", table=True)
    p.add_argument("--area", required=True, help="area name, LA number or GSS code")
    p.add_argument("--measure", required=True, type=_one_of("measure", PROJECT_MEASURES), metavar="NAME",
                   help="a DfE measure or one a council feed carries")
    p.add_argument("--as-of", dest="as_of", default=None, help="use only data published by this date (YYYY-MM-DD)")
    p.add_argument("--horizon", default=None, help="last month to project to, YYYY-MM (default: 3 periods or a year past the target)")
    p.add_argument("--model", type=_one_of("model", MODELS), default=None,
                   help=f"{', '.join(MODELS)} (default: chosen by the backtest)")
    p.add_argument("--target", type=float, default=None, help="an ad hoc target value (default: the area's row in data/targets.csv)")
    p.add_argument("--by", default=None, help="date the ad hoc --target is due (YYYY-MM-DD)")
    p.add_argument("--targets", type=Path, default=TARGETS_FILE, help="targets file (default: data/targets.csv)")
    p.add_argument("--local", type=Path, default=LOCAL_DIR, help="local figures feed file or folder (default: data/local/)")
    p.add_argument("--basis", type=_one_of("basis", ("dfe", "local"), "bases"), default="dfe",
                   help="dfe: DfE statistics; local: the council's monthly figures")

    p = _command(sub, "backtest", cmd_backtest, "forecast every LA's next year from earlier years; coverage and MAE", table=True)
    p.add_argument("--measure", type=_one_of("measure", ADAPTER), default="ehcp_issued_within_20_weeks_excl_exceptions_pct",
                   metavar="NAME", help=f"a timeliness measure with a long history: {', '.join(ADAPTER)}")

    for name, func, help_text in (("run", cmd_run, "run the review notebooks for one area and write the HTML report"),
                                  ("batch", cmd_batch, "run the review for many areas in parallel and index them")):
        p = _command(sub, name, func, help_text)
        if name == "run":
            p.add_argument("--area", default="Kent", help="area name, LA number or GSS code (default: Kent)")
        else:
            p.add_argument("--areas", required=True, help='all, region:"South East", or a list such as Kent,Essex')
        p.add_argument("--quarter", default=None, help="calendar quarter such as 2024-Q4 (default: latest the data supports)")
        p.add_argument("--as-of", dest="as_of", default=None, help="use only data published by this date (YYYY-MM-DD)")
        p.add_argument("--out", type=Path, default=None, help="reports folder (default: reports/)")
        p.add_argument("--local", type=Path, default=None, help="local figures feed file or folder (default: data/local/)")
    p.add_argument("--jobs", type=int, default=None, help="areas run at once (default: number of CPUs)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (e.g. in logs)")
    p.add_argument("--details", action="store_true", help="also write each area's baselines and trajectories reports (slower)")
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
                             f"only {', '.join(GLOBAL_OPTIONS)} may come before it" if owners else f"send-review: error: unknown option {name}")
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
        return args.func(args)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
