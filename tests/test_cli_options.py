"""The command line's options: the same meaning before or after the command, choices from the
registries, one-line usage errors with status 2, counts without `.0`, status 1 for a bug."""

import csv
import io
import re
import shutil
import subprocess
import sys

import pytest
from helpers import FIXTURE_RELEASE, KENT_FEED, SHIPPED_RELEASE

from analysis_helpers.analysis.projection import MODELS
from analysis_helpers.cli import main
from analysis_helpers.cli import parser as cli_parser
from analysis_helpers.data.local_feed import LOCAL_MEASURES
from analysis_helpers.data.neighbours import VINTAGES
from analysis_helpers.domain.history import ADAPTER
from analysis_helpers.domain.measures import MEASURE_NAMES

KENT = ["--area", "Kent"]
TIMELINESS = "ehcp_issued_within_20_weeks_pct"


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> bool:
    return err.count("\n") == 1 and err.startswith("send-review: error: ") and "Traceback" not in err and "usage:" not in err


# -- global options: before or after the command --------------------------------
@pytest.mark.parametrize("where", ["before", "after"])
def test_a_missing_release_is_refused_in_either_position(capsys, where):
    option = ["--release", "no/such/release.zip"]
    args = [*option, "kpis", *KENT] if where == "before" else ["kpis", *KENT, *option]
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == "" and one_line_error(err) and "release not found" in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_another_release_is_used_in_either_position(tmp_path, capsys, where):
    other = tmp_path / "education-health-and-care-plans_2031.zip"
    shutil.copyfile(SHIPPED_RELEASE, other)
    option = ["--release", str(other)]
    command = ["kpis", *KENT, "--measure", TIMELINESS, "--format", "csv"]
    code, out, _ = run_cli(capsys, *(option + command if where == "before" else command + option))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and all(r["source"].startswith("education-health-and-care-plans_2031.zip:") for r in rows)


def test_the_same_option_twice_with_different_values_is_refused(capsys, tmp_path):
    code, _, err = run_cli(capsys, "--release", "a.zip", "kpis", *KENT, "--release", "b.zip")
    assert code == 2 and one_line_error(err) and "--release is given twice" in err
    code, _, err = run_cli(capsys, "--verbose", "validate", "--quiet")
    assert code == 2 and one_line_error(err) and "--verbose and --quiet" in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback_in_either_position(where):
    args = ["--debug", "kpis", "--area", "Kentt"] if where == "before" else ["kpis", "--area", "Kentt", "--debug"]
    result = subprocess.run([sys.executable, "-m", "analysis_helpers.cli", *args], capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" in result.stderr and "UnknownAreaError" in result.stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_in_either_position_prints_only_errors(capsys, where):
    feed = str(KENT_FEED)
    args = ["--quiet", "validate", feed] if where == "before" else ["validate", feed, "--quiet"]
    code, out, err = run_cli(capsys, *args)
    assert (code, out, err) == (0, "", "")
    code, out, _ = run_cli(capsys, "validate", feed)
    assert code == 0 and re.search(r"kent.csv: \d+ figures read, 0 problem\(s\)", out) and "note: " in out


def test_quiet_still_prints_errors(tmp_path, capsys):
    broken = tmp_path / "kent.csv"
    broken.write_text((KENT_FEED).read_text(encoding="utf-8").replace(",pct,", ",percent,", 1), encoding="utf-8")
    code, out, err = run_cli(capsys, "validate", str(broken), "--quiet")
    assert code == 2 and out == "" and "kent.csv: row" in err and "'percent'" in err


@pytest.mark.parametrize("option", [["--format", "csv"], ["--area", "Kent"], ["--local"]])
def test_a_command_option_before_the_command_is_refused_in_one_line(capsys, option):
    code, out, err = run_cli(capsys, *option, "kpis", *KENT)
    assert code == 2 and out == "" and one_line_error(err) and f"{option[0]} goes after the command" in err
    code, out, err = run_cli(capsys, "--no-such-option", "kpis", *KENT)
    assert code == 2 and one_line_error(err) and "unknown option --no-such-option" in err


# -- choices come from the registries -------------------------------------------------
@pytest.mark.parametrize(
    "args,valid",
    [
        (["project", *KENT, "--measure", TIMELINESS, "--model", "no_such_model"], list(MODELS)),
        (["compare", *KENT, "--measure", TIMELINESS, "--neighbours", "1999"], list(VINTAGES)),
        (["kpis", *KENT, "--measure", "calc2"], list(MEASURE_NAMES)),
        (["compare", *KENT, "--measure", "calc2"], list(MEASURE_NAMES)),
        (["project", *KENT, "--measure", "calc2"], [*MEASURE_NAMES, *LOCAL_MEASURES]),
        (["backtest", "--measure", "new_ehcp_count"], list(ADAPTER)),
        (["kpis", *KENT, "--format", "xml"], ["table", "csv"]),
        (["areas", "--level", "County"], ["National", "Regional", "Local authority"]),
        (["project", *KENT, "--measure", TIMELINESS, "--basis", "guess"], ["dfe", "local"]),
    ],
)
def test_an_unknown_choice_exits_2_with_one_line_naming_the_valid_ones(capsys, args, valid):
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == "" and one_line_error(err)
    assert all(name in err for name in valid), err


def test_a_local_feed_measure_is_a_valid_projection_measure(capsys):
    council_only = next(m for m in LOCAL_MEASURES if m not in MEASURE_NAMES)
    code, _, err = run_cli(capsys, "project", *KENT, "--measure", council_only, "--format", "csv")
    assert code == 0, err


# -- usage errors are one line ----------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [[], ["frobnicate"], ["kpis"], ["kpis", *KENT, "--frob"], ["project", *KENT, "--measure", TIMELINESS, "--target", "high"],
     ["batch", "--areas", "Kent", "--jobs", "many"], ["run", "--quarter"]],
)
def test_argparse_errors_are_one_line_with_status_2(capsys, args):
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == "" and one_line_error(err), err


def test_help_still_works(capsys):
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0 and "usage: send-review" in out and "--release PATH" in out


def test_usage_errors_through_the_console_script():
    result = subprocess.run([sys.executable, "-m", "analysis_helpers.cli", "project", "--area", "Kent", "--measure", TIMELINESS,
                             "--model", "no_such_model"], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "valid models: glm_logit" in result.stderr


# -- a bug is status 1, with one line suggesting --debug ----------------------------------
def test_an_unexpected_exception_is_exit_1_with_one_line(capsys, monkeypatch):
    def broken(args):
        raise RuntimeError("something the code did not expect\nsecond line")

    monkeypatch.setattr(cli_parser, "cmd_areas", broken)  # the parser binds each command to its function
    code, _, err = run_cli(capsys, "areas")
    assert code == 1 and err.count("\n") == 1 and "RuntimeError: something the code did not expect" in err and "--debug" in err
    with pytest.raises(RuntimeError):
        main(["areas", "--debug"])


ON_FIXTURE = ("--release", str(FIXTURE_RELEASE))  # values below are the fixture's, whatever the default release holds


# -- counts are printed without .0 ---------------------------------------------------------
def test_counts_print_without_point_zero_in_every_table(capsys):
    """Kent's caseload: 19,407 (2023/24) and 20,635 (2024/25), read from the fixture (real rows)."""
    code, out, _ = run_cli(capsys, *ON_FIXTURE, "kpis", *KENT, "--measure", "ehcp_caseload_count")
    assert code == 0 and "19,407" in out and "20,635" in out and not re.search(r"\d\.0\b", out)
    code, out, _ = run_cli(capsys, *ON_FIXTURE, "kpis", *KENT, "--measure", "ehcp_caseload_count", "--local")
    assert code == 0 and "19,407" in out and not re.search(r"\d\.0\b", out) and "NaN" not in out
    code, out, _ = run_cli(capsys, *ON_FIXTURE, "compare", *KENT, "--measure", "ehcp_caseload_count")
    assert code == 0 and "20,635" in out and "19,407" in out and "1,228" in out and not re.search(r"\d\.0\b", out) and "<NA>" not in out
    code, out, _ = run_cli(capsys, *ON_FIXTURE, "kpis", *KENT, "--measure", "ehcp_caseload_count", "--format", "csv")
    values = {r["period"]: r["value"] for r in csv.DictReader(io.StringIO(out))}
    assert values["2023/24"] == "19407"
    code, out, _ = run_cli(capsys, *ON_FIXTURE, "project", *KENT, "--measure", "ehcp_caseload_count")
    assert code == 0 and "latest_value: 20,635" in out and not re.search(r"\d\.0\b", out.split("\n\n")[0])


def test_percentages_keep_one_decimal_place(capsys):
    code, out, _ = run_cli(capsys, "kpis", *KENT, "--measure", TIMELINESS)
    row = next(line for line in out.splitlines() if " 2023 " in line)
    assert code == 0 and " 324 " in row and " 1,804 " in row and " 18.0 " in row
