"""The commands of ``send-review``: each takes the parsed arguments and returns an exit code."""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

from analysis_helpers.analysis.backtest import cached_backtest, choose_default
from analysis_helpers.analysis.compare import compare
from analysis_helpers.analysis.funnel import funnel_for
from analysis_helpers.analysis.high_needs_inputs import outlook_inputs
from analysis_helpers.analysis.high_needs_outlook import balance_probability, goal_seek, outlook, sensitivity, target_year
from analysis_helpers.analysis.outlook import build_outlook
from analysis_helpers.cli.output import INTEGER_COLUMNS, VALUE_COLUMNS, emit, number, say
from analysis_helpers.core.errors import ParameterError
from analysis_helpers.core.formatting import fmt_count, is_missing
from analysis_helpers.core.paths import shown_path
from analysis_helpers.core.vintage import today
from analysis_helpers.data.feed_names import check_feed_names
from analysis_helpers.data.local_feed import area_feed, feed_files, local_kpi_rows, validate_feed
from analysis_helpers.data.release import open_release
from analysis_helpers.data.symbols import meaning
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.domain.breakdowns import breakdowns_for
from analysis_helpers.domain.kpis import kpis_for
from analysis_helpers.domain.measures import BY_NAME
from analysis_helpers.domain.outlook_files import financial_year, read_assumptions, read_scenario
from analysis_helpers.domain.targets import ad_hoc_target, for_area, measure_unit, read_targets
from analysis_helpers.reporting import disclosure

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USER_ERROR = 2
EXIT_SOME_FAILED = 3


def cmd_areas(args) -> int:
    frame = areas_for(open_release(args.release)).to_frame()
    if args.level:
        frame = frame[frame["geographic_level"] == args.level]
    emit(frame, args.format)
    return EXIT_OK


def cmd_kpis(args) -> int:
    release = open_release(args.release)
    if args.breakdown is not None:
        if args.local is not None:
            raise ParameterError("--breakdown and --local cannot be combined: councils' feeds carry no breakdowns; give one of them")
        emit(_shown_breakdowns(breakdowns_for(args.area, args.measure, args.breakdown, release)), args.format)
        return EXIT_OK
    table = kpis_for(args.area, args.measure, release=release)
    if args.local is not None:  # merge the areas' council figures, with their basis
        table = table.assign(basis="DfE statistics")
        check_feed_names((a.slug for a in areas_for(release)), args.local)
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


def _shown_breakdowns(rows: pd.DataFrame) -> pd.DataFrame:
    """Breakdown rows as printed: the disclosure rules applied, and DfE's symbol (``x``, ``c``, …) in a cell DfE left without a number."""
    shown = disclosure.apply(rows.drop(columns="symbol"))
    for index, symbol, unit in zip(rows.index, rows["symbol"], rows["unit"], strict=True):
        if symbol:
            for column in ("numerator", "denominator", "value", "ci_low", "ci_high") if unit == "pct" else ("value",):
                if is_missing(shown.at[index, column]):
                    shown.at[index, column] = symbol
            shown.at[index, "disclosure"] = f"DfE symbol {symbol}: {meaning(symbol)}"
    return shown


def cmd_validate(args) -> int:
    if Path(args.path).is_dir():  # a folder's feeds are found by name: one named for no area would be read by no run
        check_feed_names((a.slug for a in areas_for(open_release(args.release))), args.path)
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
    table = compare(args.area, args.measure, args.period, args.neighbours, release=open_release(args.release))
    emit(table, args.format, measure_unit(args.measure))
    return EXIT_OK


def cmd_funnel(args) -> int:
    """Every LA's point on the funnel around England, with binomial and overdispersion-adjusted limits."""
    table, found, period = funnel_for(args.measure, args.period, open_release(args.release))
    emit(table, args.format, "pct")
    if args.format != "csv":
        beyond = table["position"].str.endswith("99.8% limit").sum()
        say(args, f"{args.measure}, {period}: centre (England) {found.centre_pct:.1f}%; between-LA variance tau2 = "
                  f"{found.tau2:.5f} on the arcsine square-root scale (phi = {found.phi:.1f} over {found.areas} LAs, "
                  f"z-scores winsorised at 10%); {beyond} of {len(table)} LAs beyond the 99.8% limits "
                  + ("widened for overdispersion" if found.overdispersed else "for chance alone (LAs vary no more than chance)"))
    return EXIT_OK


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
    if args.by and args.target is None:
        raise ParameterError("--by needs --target VALUE (the ad hoc target due by that date); give both or neither")
    if args.basis == "dfe" and args.measure not in BY_NAME:
        raise ParameterError(f"--basis dfe: {args.measure} is not in DfE's statistics, only in councils' own figures; "
                             "use --basis local (or leave --basis out)")
    if args.target is not None:
        if not args.by:
            raise ParameterError("--target needs --by YYYY-MM-DD (the date the target is due)")
        target = ad_hoc_target(area.name, args.measure, args.target, _date(args.by, "--by"), as_of or today())
    else:
        mine = [t for t in for_area(read_targets(args.targets), area.code, areas.get, args.targets) if t.measure == args.measure]
        if args.basis:  # only a target tracked on the series asked for: --basis dfe never projects a council target
            mine = [t for t in mine if t.series == ("council" if args.basis == "local" else "dfe")]
        target = next(iter(mine), None)
    if args.local is not None:
        check_feed_names((a.slug for a in areas), args.local)
    basis = args.basis or ("local" if target is not None and target.series == "council" else "dfe")
    options = {"as_of": as_of, "model": args.model, "horizon": horizon, "release": release, "local": args.local, "basis": basis}
    outlook = build_outlook(area, args.measure, target, **options)
    if args.basis == "local" and not len(outlook.observed):
        published = f" published by {as_of}" if as_of else ""
        raise ParameterError(f"--basis local: {area.name} has no council figures for {args.measure} "
                             f"in {shown_path(args.local)}{published}; "
                             "add them (send-review validate checks a feed) or use --basis dfe")
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
        reason = outlook.note or "too few figures to project"
        emit(outlook.projection_rows(), "table", unit, empty=f"No projected values for {area.name}'s {args.measure}: {reason}.")
        print("\n" + "\n".join(lines))
    return EXIT_OK


def cmd_outlook(args) -> int:
    """The high-needs outlook by year and placement type, for the baseline and a scenario file's levers."""
    release = open_release(args.release)
    areas = areas_for(release)
    area = areas.get(args.area)
    as_of = _date(args.as_of, "--as-of") if args.as_of else None
    if args.goal_seek == "places_opened" and not args.placement:
        raise ParameterError("--goal-seek places_opened needs --placement TYPE (the type whose places open)")
    scenario = read_scenario(args.scenario) if args.scenario else None
    targets = for_area(read_targets(args.targets), area.code, areas.get, args.targets)
    inputs = outlook_inputs(release, area, read_assumptions(args.assumptions), area_feed(area.slug, args.local), targets, as_of)
    table = pd.concat([outlook(inputs)] + ([outlook(inputs, scenario)] if scenario else []), ignore_index=True)
    for column in ("caseload", "caseload_low80", "caseload_high80", "unit_cost", "spend", "income", "in_year_gap",
                   "cumulative_deficit"):  # whole plans and whole pounds
        table[column] = table[column].round(0).astype("Int64")
    year = target_year(inputs)
    lines = [f"target year: {financial_year(year)}" + (" (the area's safety-valve agreement)" if inputs.target_year is not None
                                                       else " (no safety-valve target for this area: the default)"),
             f"probability of balance by then (baseline): {balance_probability(inputs):.0%}"
             + (f"; {scenario.name}: {balance_probability(inputs, scenario):.0%}" if scenario else "")]
    if args.goal_seek:
        value = goal_seek(inputs, args.goal_seek, args.placement or "")
        lines.append(f"goal seek {args.goal_seek} (alone, on the baseline): " + (
            f"{value:.6g} from {financial_year(inputs.last_census + 1)} brings the {financial_year(year)} in-year gap to zero"
            if value is not None else f"no value in its range brings the {financial_year(year)} in-year gap to zero"))
    lines.append(f"start: cumulative deficit £{inputs.start.deficit:,.0f} at the end of {financial_year(inputs.start.year)} "
                 f"({inputs.start.source})")
    lines += [f"placement {p}: model {inputs.models[p]}; unit cost {inputs.unit_cost_basis[p]}" for p in inputs.unit_cost]
    for row in sensitivity(inputs).itertuples():
        lines.append(f"sensitivity: {row.assumption} at its {row.end} ({row.value:g}) moves the {financial_year(year)} in-year gap "
                     f"from £{row.central_gap / 1e6:,.1f}m to £{row.in_year_gap / 1e6:,.1f}m")
    if args.format == "csv":
        print("\n".join(f"# {line}" for line in lines))
        emit(table, "csv")
    else:
        emit(table, "table")
        say(args, "\n" + "\n".join(lines))
    return EXIT_OK


def _summary_value(key: str, value, unit: str | None) -> str:
    if key in VALUE_COLUMNS or key in INTEGER_COLUMNS:
        return str(number(value, "count" if key in INTEGER_COLUMNS else unit))
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
    # deferred: the pipeline pulls in papermill and nbformat (about 2 s at start-up); only run and batch need them
    from analysis_helpers.pipeline.batch import read_area_file, run_batch  # deferred: see above

    spec = args.areas if args.areas is not None else args.area_names or read_area_file(args.areas_file)
    results, index = run_batch(spec, args.quarter, args.as_of, args.out, args.jobs, args.release,
                               progress=not (args.no_progress or args.quiet), local=args.local, details=args.details,
                               pdf=not args.no_pdf)
    width = max(len(r.area) for r in results) if results else 4
    for r in results:  # with --quiet, only the failures (on stderr)
        if not (r.ok and args.quiet):
            print(f"{r.area:<{width}}  {'ok    ' if r.ok else 'FAILED'}  {r.seconds:6.1f} s" + (f"  {r.error}" if not r.ok else ""),
                  file=sys.stderr if args.quiet else sys.stdout)
    failed = sum(not r.ok for r in results)
    say(args, f"{fmt_count(len(results) - failed)} ok, {fmt_count(failed)} failed; index: {index}")
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_run(args) -> int:
    from analysis_helpers.pipeline.report import run_quarterly  # deferred: see cmd_batch

    result = run_quarterly(area=args.area, quarter=args.quarter, as_of=args.as_of, out_dir=args.out, release=args.release, local=args.local,
                           pdf=not args.no_pdf)
    say(args, f"report written: {result}")
    return EXIT_OK
