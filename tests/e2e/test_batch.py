"""Batch runs: selection, continuing past a failing area, the index page, exit status."""

import pytest

from analysis_helpers.cli import main
from analysis_helpers.core.errors import ParameterError, UnknownAreaError
from analysis_helpers.pipeline.batch import AreaResult, select_areas
from analysis_helpers.pipeline.report import REVIEW_NOTEBOOKS, run_quarterly


def test_select_areas():
    assert [a.name for a in select_areas("Kent, 886 ,Essex")] == ["Kent", "Essex"]
    south_east = select_areas('region:"South East"')
    assert len(south_east) >= 18 and {"Kent", "Medway"} <= {a.name for a in south_east}
    everyone = select_areas("all")
    names = {a.name for a in everyone}
    assert len(everyone) > 140 and "Kent" in names and "Northamptonshire" not in names  # no 2024 data
    with pytest.raises(UnknownAreaError):
        select_areas("Kent,Atlantis")
    with pytest.raises(ParameterError):
        select_areas(" , ")


def test_batch_continues_past_a_failing_area_and_exits_3(tmp_path, capsys, monkeypatch):
    import analysis_helpers.pipeline.batch as batch

    def fake_run(area, quarter, as_of, out_dir, release, local=None, details=False, pdf=True):
        area_name, slug = area.name, area.slug  # the batch hands each worker the Area it resolved
        if area_name == "Medway":
            return AreaResult(area_name, slug, False, 0.1, "ReportError: broken input")
        folder = tmp_path / quarter / slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text("ok")
        return AreaResult(area_name, slug, True, 0.1)

    class InlinePool:  # run in this process so the fake is used
        def __init__(self, max_workers, initializer=None):
            self.max_workers = max_workers

        def shutdown(self, wait=True, cancel_futures=False):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def submit(self, fn, *args):
            from concurrent.futures import Future

            future = Future()
            future.set_result(fake_run(*args))
            return future

    monkeypatch.setattr(batch, "ProcessPoolExecutor", InlinePool)
    code = main(["batch", "--areas", "Kent,Medway,Essex", "--quarter", "2025-Q3", "--out", str(tmp_path), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 3
    assert "Medway  FAILED" in out and "ReportError: broken input" in out and "2 ok, 1 failed" in out
    index = (tmp_path / "2025-Q3" / "index.html").read_text()
    assert "failed: ReportError: broken input" in index and "0 areas reviewed; 1 failed" in index  # the fakes leave no headline.json


@pytest.mark.slow
def test_real_batch_of_two_areas(tmp_path, capsys):
    # one worker: the Isles of Scilly run in the kernel Poole's review just used (pipeline.kernels)
    code = main(["batch", "--areas", "Poole,Isles of Scilly", "--quarter", "2025-Q3", "--out", str(tmp_path),
                 "--jobs", "1", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "2 ok, 0 failed" in out
    assert (tmp_path / "2025-Q3" / "poole" / "index.html").exists()
    assert not (tmp_path / "2025-Q3" / "poole" / "01_baselines.html").exists()  # review only, by default
    poole = (tmp_path / "2025-Q3" / "poole" / "index.html").read_text()
    assert "Detailed reports" not in poole and "<title>SEND quarterly review: Poole, 2025-Q3</title>" in poole
    # Poole (836) was merged into BCP in 2019: its last figures are 2018, from the 2022 release's
    # sen2_mi.csv (NoExc20weekEHC 55 of TotNoExcEHC 114 = 48.2%; with exceptions 55 of 133 = 41.4%).
    assert "48.2% (2018)" in poole and "41.4% (2018)" in poole
    assert "Poole has no published value for EHC plans issued within 20 weeks, excluding exceptions in 2024." in poole
    assert "No workforce figures for Poole in its local feed." in poole
    scilly = (tmp_path / "2025-Q3" / "isles-of-scilly" / "index.html").read_text()
    assert "<title>SEND quarterly review: Isles of Scilly, 2025-Q3</title>" in scilly
    # No local feed for the Isles of Scilly: the review says so section by section (the baselines
    # page, which would say "No local feed", is not exported by default).
    assert "No workforce figures for Isles of Scilly in its local feed." in scilly
    assert "No high-needs deficit figures for Isles of Scilly in its local feed." in scilly
    assert "No local feed" not in scilly
    # timeliness_20_week.csv 2024, excluding exceptions: 1 of 1 plan within 20 weeks; Wilson 95% lower
    # limit 1 / (1 + 1.96^2) = 20.7%; the highest of the 151 LAs with a 2024 value.
    assert "100.0% (1 of 1; 95% CI 20.7–100.0%)" in scilly and "It ranks 1st of 151 local authorities with data" in scilly

    # ... and its review is byte for byte the one a run of its own writes in a fresh kernel
    # (written at the same depth, so its links to the project's docs are the same)
    alone = run_quarterly(area="Isles of Scilly", quarter="2025-Q3", out_dir=tmp_path.with_name(f"{tmp_path.name}-alone"),
                          notebooks=REVIEW_NOTEBOOKS[:1], pdf=False, index=False)
    assert alone.read_text() == scilly
