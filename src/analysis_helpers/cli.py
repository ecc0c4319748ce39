"""``send-review``: the command line. The only module that parses arguments or prints.

Every command takes ``--release PATH`` (a DfE release zip or unpacked folder;
default: the embedded one) so the next DfE release needs no code change.
Errors a user can cause print one line on stderr and exit with status 2;
``--debug`` shows the traceback instead.

Exit codes: 0 success; 2 bad input, bad parameter or a failed run; 3 a batch
in which some areas failed (the others' reports were written); 1 an
unexpected internal error (a bug: please report it with ``--debug`` output).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from analysis_helpers.core.errors import SendReviewError
from analysis_helpers.core.paths import LOCAL_DIR, TARGETS_FILE

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USER_ERROR = 2
EXIT_SOME_FAILED = 3


INTEGER_COLUMNS = ("numerator", "denominator", "n", "n_areas", "rank", "of")


def _table_text(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for column in shown.columns:
        if column in INTEGER_COLUMNS:
            shown[column] = shown[column].map(lambda v: v if isinstance(v, str) else "" if pd.isna(v) else f"{v:,.0f}")
        elif "p_value" in column:
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.2g}")
        elif shown[column].dtype.kind == "f":
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:,.1f}")
        elif shown[column].dtype.kind == "M":
            shown[column] = shown[column].dt.strftime("%Y-%m-%d")
    return shown.to_string(index=False)


def emit(frame: pd.DataFrame, fmt: str) -> None:
    """Print a table as CSV (full precision, integers as integers) or as text."""
    if fmt == "csv":
        out = frame.copy()
        for column in out.columns:
            if out[column].dtype.kind == "M":
                out[column] = out[column].dt.strftime("%Y-%m-%d")
            elif column in INTEGER_COLUMNS and out[column].dtype.kind in "fiu":
                out[column] = out[column].astype("Int64")
            elif out[column].dtype.kind == "f" and "p_value" not in column:
                out[column] = out[column].round(6)
        out.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(_table_text(frame))


# -- commands ----------------------------------------------------------------
def cmd_areas(args) -> int:
    from analysis_helpers.data.release import open_release
    from analysis_helpers.domain.kpis import areas_for

    areas = areas_for(open_release(args.release))
    frame = areas.to_frame()
    if args.level:
        frame = frame[frame["geographic_level"].str.lower() == args.level.lower()]
    emit(frame, args.format)
    return EXIT_OK


def cmd_kpis(args) -> int:
    from analysis_helpers.data.release import open_release
    from analysis_helpers.domain.kpis import areas_for, kpis_for

    release = open_release(args.release)
    table = kpis_for(args.area, args.measure, release)
    if args.local is not None:  # merge the areas' council figures, with their basis
        from analysis_helpers.data.local_feed import area_feed, local_kpi_rows
        from analysis_helpers.reporting import disclosure

        table = table.assign(basis="DfE statistics")
        parts = [table]
        for query in args.area:
            area = areas_for(release).get(query)
            local = local_kpi_rows(area_feed(area.slug, args.local), area.code, area.name)
            if args.measure:
                local = local[local["measure"].isin(args.measure)]
            parts.append(local[list(table.columns)])
        merged = pd.concat([p for p in parts if len(p)], ignore_index=True)
        table = disclosure.apply(merged)
    emit(table, args.format)
    return EXIT_OK


def cmd_validate(args) -> int:
    from analysis_helpers.data.local_feed import feed_files, validate_feed

    problems_total = 0
    for path in feed_files(args.path):
        frame, problems, notes = validate_feed(path)
        for note in notes:
            print(f"note: {note}")
        for problem in problems:
            print(str(problem), file=sys.stderr)
        problems_total += len(problems)
        print(f"{path.name}: {len(frame)} figures read, {len(problems)} problem(s)")
    return EXIT_USER_ERROR if problems_total else EXIT_OK


def cmd_compare(args) -> int:
    from analysis_helpers.analysis.compare import compare
    from analysis_helpers.data.release import open_release

    release = open_release(args.release)
    emit(compare(args.area, args.measure, args.period, args.neighbours, release), args.format)
    return EXIT_OK


def cmd_project(args) -> int:
    import datetime as dt

    from analysis_helpers.analysis.outlook import build_outlook
    from analysis_helpers.core.errors import ParameterError
    from analysis_helpers.data.release import open_release
    from analysis_helpers.domain.kpis import areas_for
    from analysis_helpers.domain.measures import MEASURE_NAMES
    from analysis_helpers.domain.targets import LOCAL_MEASURES, Target, read_targets

    release = open_release(args.release)
    area = areas_for(release).get(args.area)
    if args.measure not in MEASURE_NAMES and args.measure not in LOCAL_MEASURES:
        raise ParameterError(f"unknown measure {args.measure!r}; valid measures: {', '.join([*MEASURE_NAMES, *LOCAL_MEASURES])}")
    as_of = _date(args.as_of, "--as-of") if args.as_of else None
    horizon = None
    if args.horizon:
        import re

        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.horizon):
            raise ParameterError(f"--horizon must look like 2027-12 (a year and a month), got {args.horizon!r}")
        horizon = pd.Timestamp(args.horizon + "-01") + pd.offsets.MonthEnd(0)
    target = None
    if args.target is not None:
        by = _date(args.by, "--by") if args.by else None
        if by is None:
            raise ParameterError("--target needs --by YYYY-MM-DD (the date the target is due)")
        target = Target("ad hoc", area.name, args.measure, "pct", "", None, dt.date.today(), "", args.target, by, "given on the command line", "", "", "", 0)
    else:
        matching = [t for t in read_targets(args.targets) if t.measure == args.measure and areas_for(release).get(t.area).code == area.code]
        target = matching[0] if matching else None
    outlook = build_outlook(area, args.measure, target, as_of=as_of, model=args.model, horizon=horizon, release=release,
                            local=args.local, basis=args.basis)
    if target is not None and target.target_id == "ad hoc" and len(outlook.observed):
        from dataclasses import replace

        latest = outlook.observed.iloc[-1]
        outlook = build_outlook(
            area, args.measure, replace(target, baseline_value=float(latest["value"]), baseline_date=pd.Timestamp(latest["period_end"]).date()),
            as_of=as_of, model=args.model, horizon=horizon, release=release, local=args.local, basis=args.basis,
        )
    summary = outlook.summary()
    lines = [f"{key}: {_summary_value(value)}" for key, value in summary.items()]
    if args.format == "csv":
        print("\n".join(f"# {line}" for line in lines))
        emit(outlook.projection_rows(), "csv")
    else:
        emit(outlook.projection_rows(), "table")
        print()
        print("\n".join(lines))
    return EXIT_OK


def cmd_backtest(args) -> int:
    from analysis_helpers.analysis.backtest import cached_backtest, choose_default
    from analysis_helpers.core.errors import ParameterError
    from analysis_helpers.data.release import open_release
    from analysis_helpers.domain.history import ADAPTER

    if args.measure not in ADAPTER:
        raise ParameterError(f"backtest needs a timeliness measure with a long history: {', '.join(ADAPTER)}; got {args.measure!r}")
    table = cached_backtest(args.measure, release=open_release(args.release))
    emit(table, args.format)
    if args.format == "table":
        print(f"\ndefault model chosen: {choose_default(table)}")
    return EXIT_OK


def _date(text: str, flag: str):
    import datetime as dt

    from analysis_helpers.core.errors import ParameterError

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"{flag} must be a date written YYYY-MM-DD, got {text!r}") from None


def _summary_value(value) -> str:
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.4g}" if abs(value) < 1 else f"{value:,.1f}"
    return str(value)


def cmd_batch(args) -> int:
    from analysis_helpers.pipeline.batch import run_batch

    results, index = run_batch(args.areas, args.quarter, args.as_of, args.out, args.jobs, args.release, progress=not args.no_progress,
                               local=args.local, details=args.details)
    width = max(len(r.area) for r in results) if results else 4
    for r in results:
        print(f"{r.area:<{width}}  {'ok    ' if r.ok else 'FAILED'}  {r.seconds:6.1f} s" + (f"  {r.error}" if not r.ok else ""))
    failed = sum(not r.ok for r in results)
    print(f"{len(results) - failed} ok, {failed} failed; index: {index}")
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_run(args) -> int:
    from analysis_helpers.pipeline.report import run_quarterly

    result = run_quarterly(area=args.area, quarter=args.quarter, as_of=args.as_of, out_dir=args.out, release=args.release, local=args.local)
    print(f"report written: {result}")
    return EXIT_OK


# -- parser ------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--release", type=Path, default=None, help="DfE release zip or folder (default: the embedded one)")
    common.add_argument("--debug", action="store_true", help="show the full traceback on error")

    parser = argparse.ArgumentParser(
        prog="send-review",
        description="SEND review workbook: KPIs, comparators and quarterly reports from DfE SEN2 statistics.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("areas", parents=[common], help="list England, the regions and every LA with codes")
    p.add_argument("--level", choices=["National", "Regional", "Local authority"], help="only this level")
    p.add_argument("--format", choices=["csv", "table"], default="table")
    p.set_defaults(func=cmd_areas)

    p = sub.add_parser("kpis", parents=[common], help="print the tidy KPI table for one or more areas")
    p.add_argument("--area", action="append", required=True, help="area name, LA number or GSS code (repeatable)")
    p.add_argument("--measure", action="append", help="measure name (repeatable; default: all)")
    p.add_argument("--local", nargs="?", const=LOCAL_DIR, type=Path, default=None,
                   help="also merge the council's figures from this feed file or folder (default folder: data/local/); adds a basis column")
    p.add_argument("--format", choices=["csv", "table"], default="table")
    p.set_defaults(func=cmd_kpis)

    p = sub.add_parser("validate", parents=[common], help="check a local figures feed (file or folder); exit 0 or 2")
    p.add_argument("path", type=Path, nargs="?", default=LOCAL_DIR, help="feed file (.csv/.xlsx) or folder (default: data/local/)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("compare", parents=[common], help="one area against England, its region and its neighbours")
    p.add_argument("--area", required=True, help="area name, LA number or GSS code")
    p.add_argument("--measure", required=True, help="measure name (see `send-review kpis --help`)")
    p.add_argument("--period", default=None, help="period label such as 2023 or 2024/25 (default: latest with data)")
    p.add_argument("--neighbours", choices=["2021", "2025"], default="2025", help="DfE statistical neighbour list")
    p.add_argument("--format", choices=["csv", "table"], default="table")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("project", parents=[common], help="projection with intervals, required path and target")
    p.add_argument("--area", required=True, help="area name, LA number or GSS code")
    p.add_argument("--measure", required=True, help="measure name")
    p.add_argument("--as-of", dest="as_of", default=None, help="use only data published by this date (YYYY-MM-DD)")
    p.add_argument("--horizon", default=None, help="last month to project to, YYYY-MM (default: 3 periods or a year past the target)")
    p.add_argument("--model", default=None, help="glm_logit, rw_drift_logit, rw_logit or linear_pct (default: chosen by the backtest)")
    p.add_argument("--target", type=float, default=None, help="an ad hoc target value (default: the area's row in data/targets.csv)")
    p.add_argument("--by", default=None, help="date the ad hoc --target is due (YYYY-MM-DD)")
    p.add_argument("--targets", type=Path, default=TARGETS_FILE, help="targets file (default: data/targets.csv)")
    p.add_argument("--local", type=Path, default=LOCAL_DIR, help="local figures feed file or folder (default: data/local/)")
    p.add_argument("--basis", choices=["dfe", "local"], default="dfe", help="dfe: DfE statistics; local: the council's monthly figures")
    p.add_argument("--format", choices=["csv", "table"], default="table")
    p.set_defaults(func=cmd_project)

    p = sub.add_parser("backtest", parents=[common], help="forecast every LA's next year from earlier years; coverage and MAE")
    p.add_argument("--measure", default="ehcp_issued_within_20_weeks_excl_exceptions_pct", help="a timeliness measure")
    p.add_argument("--format", choices=["csv", "table"], default="table")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("run", parents=[common], help="run the review notebooks for one area and write the HTML report")
    p.add_argument("--area", default="Kent", help="area name, LA number or GSS code (default: Kent)")
    p.add_argument("--quarter", default=None, help="calendar quarter such as 2024-Q4 (default: latest the data supports)")
    p.add_argument("--as-of", dest="as_of", default=None, help="use only data published by this date (YYYY-MM-DD)")
    p.add_argument("--out", type=Path, default=None, help="reports folder (default: reports/)")
    p.add_argument("--local", type=Path, default=None, help="local figures feed file or folder (default: data/local/)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("batch", parents=[common], help="run the review for many areas in parallel and index them")
    p.add_argument("--areas", required=True, help='all, region:"South East", or a list such as Kent,Essex')
    p.add_argument("--quarter", default=None, help="calendar quarter such as 2024-Q4 (default: latest the data supports)")
    p.add_argument("--as-of", dest="as_of", default=None, help="use only data published by this date (YYYY-MM-DD)")
    p.add_argument("--jobs", type=int, default=None, help="areas run at once (default: number of CPUs)")
    p.add_argument("--out", type=Path, default=None, help="reports folder (default: reports/)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (e.g. in logs)")
    p.add_argument("--local", type=Path, default=None, help="local figures feed folder (default: data/local/)")
    p.add_argument("--details", action="store_true", help="also write each area's baselines and trajectories reports (slower)")
    p.set_defaults(func=cmd_batch)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SendReviewError as exc:
        if args.debug:
            raise
        print(f"send-review: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
