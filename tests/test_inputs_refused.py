"""Every input honoured or refused (issue 16): a path, choice, date or value given on the command line is used
or refused with one line and exit 2; nothing falls back silently, and the manifest lists exactly what a run read."""

import datetime as dt
import json
import shutil
import subprocess
import sys

import nbformat
import pytest
from helpers import FEEDS_DIR, FIXTURE_RELEASE, KENT_FEED, SHIPPED_RELEASE

from analysis_helpers.cli import main
from analysis_helpers.cli import parser as cli_parser
from analysis_helpers.core import vintage
from analysis_helpers.core.errors import DataValidationError, ParameterError, UnknownAreaError
from analysis_helpers.core.paths import PROJECT_ROOT, shown_path
from analysis_helpers.data.inputs import files_read
from analysis_helpers.domain.targets import ad_hoc_target
from analysis_helpers.pipeline import batch as batch_module
from analysis_helpers.pipeline.batch import read_area_file, run_batch, select_areas, split_areas
from analysis_helpers.pipeline.report import run_quarterly
from analysis_helpers.pipeline.review_dates import resolve_run_parameters

TIMELINESS = "ehcp_issued_within_20_weeks_pct"
PROJECT = ["project", "--area", "Kent", "--measure", TIMELINESS, "--release", str(FIXTURE_RELEASE)]
TODAY = "2026-11-28"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv(vintage.TODAY_ENV, TODAY)


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def refused(code: int, err: str) -> bool:
    """Exit 2 with one line on stderr, under 300 characters."""
    return code == 2 and err.count("\n") == 1 and err.startswith("send-review: error: ") and len(err) < 300


# -- a --local path that does not exist --------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [["run"], ["batch", "--areas", "Kent"], ["kpis", "--area", "Kent"], ["project", "--area", "Kent", "--measure", TIMELINESS]],
    ids=["run", "batch", "kpis", "project"],
)
def test_a_missing_local_path_is_refused_by_every_command(capsys, tmp_path, args):
    missing = tmp_path / "no-such-feed.csv"
    code, out, err = run_cli(capsys, *args, "--local", missing, "--out" if args[0] in ("run", "batch") else "--format",
                             tmp_path / "reports" if args[0] in ("run", "batch") else "csv")
    assert refused(code, err) and out == ""
    assert err == (f"send-review: error: {args[0]}: argument --local: {missing} does not exist; "
                   "give an existing feed file (.csv/.xlsx) or folder\n")
    assert not (tmp_path / "reports").exists()


# -- the manifest lists exactly the inputs a run read -----------------------------------
def tiny_notebook(folder):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('area = "Kent"\nreport_dir = ""', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("1 + 1")]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    path = folder / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def tiny_run_elsewhere(tmp_path_factory):
    """A run of Kent with --local an empty folder and --release named relative to the project root."""
    folder = tmp_path_factory.mktemp("elsewhere")
    (folder / "feeds").mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(vintage.TODAY_ENV, TODAY)
        index = run_quarterly(area="Kent", quarter="2025-Q3", out_dir=folder / "reports", local=folder / "feeds",
                              release=SHIPPED_RELEASE.relative_to(PROJECT_ROOT), notebooks=(tiny_notebook(folder),))
    return json.loads((index.parent / "manifest.json").read_text())


def test_the_manifest_lists_exactly_the_inputs_a_run_read(tiny_run_elsewhere):
    manifest = tiny_run_elsewhere
    inputs = [entry["path"] for entry in manifest["inputs"]]
    assert inputs == manifest["files_read"]  # the same files, each once
    assert len(inputs) == len(set(inputs)) and inputs.count(shown_path(SHIPPED_RELEASE)) == 1
    assert shown_path(KENT_FEED) not in inputs  # --local named a folder without Kent's feed


def test_files_read_names_a_file_once_however_it_is_written():
    read = files_read(SHIPPED_RELEASE.relative_to(PROJECT_ROOT), "2025", KENT_FEED)
    assert [shown_path(p) for p in read].count(shown_path(SHIPPED_RELEASE)) == 1


# -- a release not yet public at the data date ---------------------------------------------
REFUSED_RELEASE = ("--release data/raw/education-health-and-care-plans_2025.zip was published 2025-07-01, after this "
                   "review's data date 2024-12-31 (quarter 2024-Q4); give --as-of 2025-07-01 or later, or leave out --release")


def test_a_release_not_public_at_the_data_date_is_refused_before_anything_is_written(capsys, tmp_path):
    good = tmp_path / "reports" / "2024-Q4" / "kent" / "index.html"
    good.parent.mkdir(parents=True)
    good.write_text("the good review")
    code, out, err = run_cli(capsys, "run", "--release", SHIPPED_RELEASE, "--quarter", "2024-Q4", "--out", tmp_path / "reports")
    assert refused(code, err) and err == f"send-review: error: {REFUSED_RELEASE}\n"
    assert good.read_text() == "the good review" and sorted(p.name for p in good.parent.parent.iterdir()) == ["kent"]


def test_a_batch_on_a_release_not_yet_public_is_refused_before_any_area_runs(tmp_path):
    with pytest.raises(ParameterError) as caught:
        run_batch("Kent", "2024-Q4", out_dir=tmp_path, release=SHIPPED_RELEASE, progress=False)
    assert str(caught.value) == REFUSED_RELEASE and list(tmp_path.iterdir()) == []


# -- an ad hoc --target obeys the rules of data/targets.csv ---------------------------------
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--target", "160", "--by", "2027-12-31"], "--target: 160 is outside 0-100 for a percentage measure"),
        (["--target", "-5", "--by", "2027-12-31"], "--target: -5 is outside 0-100 for a percentage measure"),
        (["--target", "60", "--by", "2025-12-31"], "--by: 2025-12-31 is not after the baseline date 2026-11-28; "
                                                   "an ad hoc target's baseline is the data date (--as-of, or today)"),
        (["--as-of", "2025-09-30", "--target", "60", "--by", "2025-06-30"],
         "--by: 2025-06-30 is not after the baseline date 2025-09-30; an ad hoc target's baseline is the data date (--as-of, or today)"),
        (["--by", "2027-12-31"], "--by needs --target VALUE (the ad hoc target due by that date); give both or neither"),
    ],
)
def test_an_ad_hoc_target_is_held_to_the_targets_file_rules(capsys, options, message):
    code, out, err = run_cli(capsys, *PROJECT, *options)
    assert refused(code, err) and out == "" and err == f"send-review: error: {message}\n"


def test_an_ad_hoc_target_is_validated_by_the_targets_file_function():
    with pytest.raises(DataValidationError, match=r"^--target: 250 is outside 0-100"):
        ad_hoc_target("Kent", TIMELINESS, 250, dt.date(2027, 12, 31), dt.date(2026, 11, 28))
    with pytest.raises(DataValidationError, match=r"^--target: -3 is negative for a count$"):
        ad_hoc_target("Kent", "new_ehcp_count", -3, dt.date(2027, 12, 31), dt.date(2026, 11, 28))
    good = ad_hoc_target("Kent", TIMELINESS, 60, dt.date(2027, 12, 31), dt.date(2026, 11, 28))
    assert (good.target_value, good.target_date, good.baseline_date, good.date_assumed) == (60.0, dt.date(2027, 12, 31),
                                                                                            dt.date(2026, 11, 28), False)


def test_a_valid_ad_hoc_target_still_runs(capsys):
    code, out, err = run_cli(capsys, *PROJECT, "--target", "60", "--by", "2027-12-31", "--format", "csv")
    assert code == 0, err
    assert "# target_value: 60.0\n# target_date: 2027-12-31\n" in out and "# baseline_date: 2024-12-31\n" in out


def test_a_local_basis_without_council_figures_is_refused(capsys):
    code, out, err = run_cli(capsys, "project", "--area", "Essex", "--measure", TIMELINESS, "--basis", "local",
                             "--release", FIXTURE_RELEASE)
    assert refused(code, err) and out == ""
    assert err == ("send-review: error: --basis local: Essex has no council figures for ehcp_issued_within_20_weeks_pct in "
                   f"{shown_path(FEEDS_DIR)}; add them (send-review validate checks a feed) or use --basis dfe\n")


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_jobs_below_one_is_refused_not_replaced_by_the_cpu_count(capsys, jobs, batch_spec):
    code, _, err = run_cli(capsys, "batch", "--areas", "Kent", f"--jobs={jobs}")
    assert refused(code, err) and err == f"send-review: error: batch: argument --jobs: '{jobs}' is not a whole number of at least 1\n"
    assert batch_spec == []


# -- dates in the future: refused by every command, in the same words -----------------------
FUTURE = "argument --as-of: 2030-01-01 is after today (2026-11-28); only data already published can be used"


@pytest.mark.parametrize(
    "args",
    [["run", "--area", "Kent"], ["batch", "--areas", "Kent"], ["project", "--area", "Kent", "--measure", TIMELINESS]],
    ids=["run", "batch", "project"],
)
def test_a_data_date_in_the_future_is_refused_by_every_command_in_the_same_words(capsys, args):
    code, out, err = run_cli(capsys, *args, "--as-of", "2030-01-01")
    assert refused(code, err) and err == f"send-review: error: {args[0]}: {FUTURE}\n"


def test_a_notebook_run_words_a_future_data_date_as_the_command_line_does():
    with pytest.raises(ParameterError) as caught:
        resolve_run_parameters("2026-Q4", "2030-01-01", today=dt.date(2026, 11, 28), warn=False)
    assert str(caught.value) == "as_of " + FUTURE.removeprefix("argument --as-of: ")


def test_a_quarter_not_yet_started_does_not_talk_about_an_as_of_not_given():
    with pytest.raises(ParameterError) as caught:
        resolve_run_parameters("2027-Q1", None, today=dt.date(2026, 11, 28), warn=False)
    assert str(caught.value) == ("quarter 2027-Q1 has not started yet (it starts 2027-01-01; today is 2026-11-28); "
                                 "choose a quarter up to 2026-Q4")
    assert "as_of" not in str(caught.value)


# -- area lists that hold names with commas ---------------------------------------------
def test_a_quoted_name_keeps_its_comma():
    assert split_areas('"Bristol, City of",Essex') == ["Bristol, City of", "Essex"]
    assert [a.name for a in select_areas('Kent, "Bristol, City of"', FIXTURE_RELEASE)] == ["Kent", "Bristol, City of"]
    assert [a.name for a in select_areas(["Bristol, City of", "Kent"], FIXTURE_RELEASE)] == ["Bristol, City of", "Kent"]


def test_an_unquoted_name_with_a_comma_says_how_to_write_it():
    with pytest.raises(UnknownAreaError) as caught:
        select_areas("Bristol, City of,Essex", FIXTURE_RELEASE)
    assert str(caught.value).startswith("--areas: unknown area 'Bristol'")
    assert str(caught.value).endswith('quote a name holding a comma ("Bristol, City of",Essex) or use --area NAME '
                                      '(repeatable) or --areas-file')
    assert len(str(caught.value)) < 300


@pytest.fixture
def batch_spec(monkeypatch):
    """The area list ``send-review batch`` hands to the pipeline (the batch itself is not run)."""
    seen = []

    def fake_run_batch(spec, *args, **kwargs):
        seen.append(spec)
        return [], PROJECT_ROOT / "index.html"

    monkeypatch.setattr(batch_module, "run_batch", fake_run_batch)
    return seen


def test_batch_takes_repeated_area_options_and_a_file_of_areas(capsys, tmp_path, batch_spec):
    assert main(["batch", "--area", "Bristol, City of", "--area", "Essex"]) == 0
    listing = tmp_path / "areas.txt"
    listing.write_text("# the south west pilot\nBristol, City of\n\nIsles of Scilly\n")
    assert main(["batch", "--areas-file", str(listing)]) == 0
    assert batch_spec == [["Bristol, City of", "Essex"], ["Bristol, City of", "Isles of Scilly"]]
    code, _, err = run_cli(capsys, "batch", "--areas", "Kent", "--area", "Essex")
    assert refused(code, err) and "not allowed with argument" in err


def test_a_missing_file_of_areas_is_refused(capsys, tmp_path, batch_spec):
    code, _, err = run_cli(capsys, "batch", "--areas-file", tmp_path / "none.txt")
    assert refused(code, err)
    assert err == f"send-review: error: --areas-file {tmp_path / 'none.txt'} does not exist; give a text file with one area a line\n"


SECRET = "password=hunter2-do-not-print"


def test_a_line_of_an_areas_file_naming_no_area_is_named_by_its_number_not_echoed(capsys, tmp_path):
    """Issue 24: the error repeated the line (the first line of whatever file was given, a secret or a binary)."""
    listing = tmp_path / "areas.txt"
    listing.write_text(f"# pilot\nKent\n\n{SECRET}\nEssex\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "batch", "--areas-file", listing, "--quarter", "2025-Q3", "--release", FIXTURE_RELEASE,
                             "--out", tmp_path / "reports", "--no-pdf")
    assert refused(code, err) and out == "" and SECRET not in err and "hunter2" not in err
    assert err == (f"send-review: error: --areas-file {listing}: line 4 is not the name, LA number or GSS code of an area "
                   "(`send-review areas` lists them)\n")
    assert not (tmp_path / "reports").exists()


def test_an_areas_file_with_a_bom_numbers_and_comments_is_read(tmp_path):
    good = tmp_path / "ok.txt"
    good.write_text("\ufeffKent\n  801  \n# comment\n", encoding="utf-8")
    assert [a.name for a in select_areas(read_area_file(good), FIXTURE_RELEASE)] == ["Kent", "Bristol, City of"]


@pytest.mark.parametrize(("content", "line"), [(b"Kent\n\x81\x00\xff" + SECRET.encode(), 2), (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), 1)],
                         ids=["a bad byte on line 2", "an image"])
def test_a_binary_areas_file_is_refused_by_line_without_its_bytes(capsys, tmp_path, content, line):
    listing = tmp_path / "areas.bin"
    listing.write_bytes(content)
    code, out, err = run_cli(capsys, "batch", "--areas-file", listing, "--quarter", "2025-Q3", "--release", FIXTURE_RELEASE,
                             "--out", tmp_path / "reports")
    assert refused(code, err) and SECRET not in err and "PNG" not in err
    assert err == f"send-review: error: --areas-file {listing}: line {line} is not UTF-8 text; give a text file with one area a line\n"


def test_a_large_file_is_not_a_list_of_areas(capsys, tmp_path):
    listing = tmp_path / "dump.txt"
    listing.write_text(SECRET * 5000, encoding="utf-8")
    code, _, err = run_cli(capsys, "batch", "--areas-file", listing, "--release", FIXTURE_RELEASE, "--out", tmp_path / "reports")
    assert refused(code, err) and SECRET not in err
    assert err.startswith(f"send-review: error: --areas-file {listing} is 145,000 bytes, too large for a list of areas (at most 65,536)")


def test_a_batch_refuses_one_feed_file_for_many_areas(tmp_path):
    with pytest.raises(ParameterError) as caught:
        run_batch("Kent,Essex", "2025-Q3", out_dir=tmp_path, release=FIXTURE_RELEASE, progress=False, local=KENT_FEED)
    assert str(caught.value) == (f"--local {KENT_FEED} is one feed file, which every area of the batch would read as its "
                                 "own; give a folder of feeds named by area (kent.csv, essex.csv, ...)")
    assert list(tmp_path.iterdir()) == []


# -- --measure A B, and choices in any case -----------------------------------------------
def test_kpis_takes_several_measures_after_one_option(capsys):
    code, out, err = run_cli(capsys, "kpis", "--area", "Kent", "--measure", TIMELINESS, "ehcp_caseload_mainstream_pct",
                             "--release", FIXTURE_RELEASE, "--format", "csv")
    assert code == 0, err
    measures = {line.split(",")[5] for line in out.splitlines()[1:]}
    assert measures == {TIMELINESS, "ehcp_caseload_mainstream_pct"}


def test_a_level_is_matched_in_any_case(capsys):
    code, out, err = run_cli(capsys, "areas", "--level", "REGIONAL", "--release", FIXTURE_RELEASE, "--format", "csv")
    assert code == 0, err
    assert {line.split(",")[2] for line in out.splitlines()[1:]} == {"Regional"}
    assert cli_parser.parse(["areas", "--level", "local authority"]).level == "Local authority"
    assert cli_parser.parse(["kpis", "--area", "Kent", "--format", "CSV"]).format == "csv"


# -- a successful batch's log holds no ERROR lines ------------------------------------------
@pytest.mark.skipif(shutil.which("git") is None, reason="needs the project checkout")
def test_a_successful_batch_log_has_no_error_lines(tmp_path):
    """The cron line's log (stdout and stderr of `batch --quiet`) for a small batch."""
    result = subprocess.run(
        [sys.executable, "-m", "analysis_helpers.cli", "batch", "--areas", "Isles of Scilly,City of London", "--quarter", "2025-Q3",
         "--out", str(tmp_path), "--jobs", "2", "--quiet"],
        capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT, check=False,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert [line for line in log.splitlines() if "ERROR" in line] == []
    area_logs = [p.read_text() for p in tmp_path.glob("2025-Q3/*/run.log")]
    assert len(area_logs) == 2 and not any("ERROR" in text for text in area_logs)
