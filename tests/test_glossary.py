"""Plain words in the review's main text, and the methods annex and glossary that keeps the internal names
(issue 22, item 7): a target by its KPI, value and date; a model by how it was chosen; every id, model and test
named once, with its meaning, at the end."""

import dataclasses
import datetime as dt
from types import SimpleNamespace

import pytest
from IPython.display import HTML

from analysis_helpers.analysis.outlook import build_outlook
from analysis_helpers.analysis.projection import MODELS
from analysis_helpers.domain.areas import areas_for
from analysis_helpers.domain.targets import read_targets
from analysis_helpers.reporting import glossary, model_text, narrative, sections


@pytest.fixture(scope="module")
def targets():
    return {t.target_id: t for t in read_targets()}


def test_a_target_is_named_by_its_kpi_value_and_date(targets):
    assert glossary.target_label(targets["kpi_2025_20_weeks_60"]) == (
        "EHC plans issued within 20 weeks, exceptions included (%) [all plans issued]: 60.0% by December 2025")
    assert glossary.target_label(targets["app_20_weeks_80"]).startswith(
        "EHC plans issued within 20 weeks, exceptions included (%) (council monthly figures) [all plans issued]: 80.0% by September 2024")
    assert glossary.target_label(targets["safety_valve_deficit_0"]).endswith(": £0m by March 2028")


def test_a_model_is_named_by_how_it_was_chosen():
    assert model_text.model_words("panel_ar1_quantile_logit") == "the model chosen by the backtest; see the methods annex"
    assert model_text.model_words("linear_pct", annex=False) == "a straight-line trend"


def test_the_review_text_of_a_projected_target_names_no_model_or_target_id(targets, release_fixture_history):
    release = release_fixture_history
    kent = areas_for(release).get("Kent")
    target = targets["kpi_2025_20_weeks_60"]
    outlook = build_outlook(kent, target.measure, target, as_of=dt.date(2025, 9, 30), release=release, model="rw_logit")
    sentence = narrative.outlook_sentence(outlook)
    assert "Probability of meeting it on time:" in sentence and "(the model chosen by the backtest; see the methods annex)" in sentence
    run = SimpleNamespace(area=kent)
    shown = sections.outlooks_for(run, [outlook], target.measure, source="DfE")
    text = shown[0].data
    assert text.startswith("**Target on EHC plans issued within 20 weeks, exceptions included (%) \\[all plans issued\\].**")
    assert "kpi_2025_20_weeks_60" not in text and "rw_logit" not in text
    assert "rw_logit" not in shown[1].data  # the chart: its legend and alt text


def test_the_annex_lists_every_model_test_and_target_id_with_its_meaning(targets):
    outlooks = [SimpleNamespace(target=t, model="panel_ar1_quantile_logit" if i == 0 else None) for i, t in enumerate(targets.values())]
    outlooks.append(SimpleNamespace(target=None, model="linear_pct"))  # a KPI without a target
    shown = glossary.methods_annex("Kent", outlooks)
    html = "".join(s.data for s in shown if isinstance(s, HTML))
    for term in ("Wilson", "Two-proportion z-test", "Fisher&#x27;s exact test", "Holm", "Poisson", "XmR", "Funnel limits", "Backtest"):
        assert term in html, term
    assert "limits at the mean ± 2.66 average month-to-month moves" in html  # Making Data Count's 3 / 1.128
    models = glossary.models_table({"panel_ar1_quantile_logit", "linear_pct"})
    assert models["Model name"].tolist() == list(MODELS)
    assert set(models.loc[models["Used in this review"] == "yes", "Model name"]) == {"panel_ar1_quantile_logit", "linear_pct"}
    assert all(models["What it does"].str.len() > 20), "a model without plain words"
    ids = glossary.targets_table(outlooks)
    assert ids["Target id"].tolist() == list(targets)
    assert ids.set_index("Target id").loc["kpi_2025_20_weeks_60", "In this review"] == glossary.target_label(
        targets["kpi_2025_20_weeks_60"])
    assert "Kent&#x27;s targets, by their ids in the targets file" in html


def test_the_annex_escapes_a_target_file_text_and_says_when_there_are_no_targets(targets):
    hostile = dataclasses.replace(targets["kpi_2025_20_weeks_60"], target_id="<script>x</script>", source_title="A & B")
    html = "".join(s.data for s in glossary.methods_annex("Kent", [SimpleNamespace(target=hostile, model=None)]) if isinstance(s, HTML))
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html and "A &amp; B" in html
    none = glossary.methods_annex("Rutland", [])
    assert none[-1].data == "*No targets are recorded for Rutland.*"


def test_target_dates_read_as_months():
    target = SimpleNamespace(measure="ehc_requests_count", target=None, denominator="", unit="count", target_value=4000.0,
                             target_date=dt.date(2027, 3, 31), series="dfe")
    assert glossary.target_label(target) == "Requests for an EHC needs assessment: 4,000 by March 2027"
