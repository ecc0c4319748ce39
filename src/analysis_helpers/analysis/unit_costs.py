"""High-needs unit costs, 2021-22: each LA's spend per placement by placement type, beside England's and its
statistical neighbours' medians, with a flag where the figure is missing or implausible.

A unit cost is the 2021-22 **outturn** on the spend lines that pay for a placement type (DfE's high-needs
benchmarking data, :mod:`analysis_helpers.data.high_needs`, the block headed "Section 251 outturn": money spent,
not budgeted), divided by the EHC plans in that type of placement (the January 2021 census the same file
publishes). Lines are summed gross: the top-ups' income (from other LAs, not split by phase) is not deducted.

The outturn is the council's own spend: the high-needs places ESFA pays for directly (in academies, free schools,
non-maintained special schools and colleges) are not in it, so a unit cost here is the cost to the council's
high-needs budget, on the basis of the block after deductions it is set against
(:mod:`analysis_helpers.data.dsg_allocations`). An LA whose special schools are academies therefore shows a lower
maintained-special figure than one whose schools are maintained (Kent's are: 4,616 of its 5,099 placements, SEN2
January 2021), a difference the medians do not remove.

| placement type | EHC plans (placement columns, row 6) | spend lines (outturn block, row 4) |
| --- | --- | --- |
| ``mainstream_and_resourced`` | mainstream schools or academies (H) + resourced provision or SEN units (I) | \
place funding: primary (BK), secondary (BL); top-up to maintained schools, academies, free schools and colleges \
("maintained"): primary (BR), secondary (BS) |
| ``maintained_special`` | maintained special schools or special academies (J) | \
place funding: special schools and academies (BM); top-up, maintained: special (BT) |
| ``nmss_independent`` | NMSS or independent schools (K) | \
top-up to non-maintained and independent providers ("independent"): primary (BZ), secondary (CA), special (CB) |
| ``hospital_ap`` | hospital schools or alternative provision (L) | \
place funding: PRUs and AP academies (BN); top-up, maintained: PRUs and AP (BU); top-up, independent: PRUs and AP (CC) |
| ``post_16`` | post 16 (M) | place funding: post school (BO); top-up, maintained: post school (BV); top-up, independent: post school (CD) |
| ``other`` | other (N) | none, so no unit cost |

Why so: mainstream and resourced-provision placements are one type because the file's top-ups to primary and
secondary schools pay for both and are not split; place funding in primary and secondary schools is the place
funding of resourced provision and SEN units. NMSS or independent placements include pupils with plans in
independent mainstream schools (Kent's 1,396 are SEN2's 130 non-maintained special, 1,156 independent special and
110 independent mainstream), so the independent providers' primary and secondary top-ups belong with the special
ones. Not allocated to any type: early-years place funding and top-ups (BJ, BQ, BY;
the file does not say which placement column counts the children they pay for), the top-ups' income (BW, CE), SEN
support and inclusion services (CF), alternative provision services (CG), hospital education services (CH) and
therapies (CI), which pay for services rather than placements. Kent: £62,722,985.62 of top-up to non-maintained
and independent special schools (CB103, nothing in BZ or CA) for 1,396 placements (K103) is £44,931 a placement.

The flag (``flag``: ``""``, ``"missing: …"`` or ``"implausible: …"``, the reason after the colon), in this order:

* **missing** where the file has ``#N/A`` for the placements or a spend line (LAs replaced before 2021-22, and the
  Northamptonshire split: the old county's placements, the new LAs' spend), where no line pays for the type
  (``other``), or where there are no placements;
* **implausible** where there are fewer than :data:`MIN_PLACEMENTS` placements (a ratio on so few moves with one
  child), where the lines hold no spend for at least that many placements (the money is booked on another line), or
  where the figure is more than :data:`RATIO` times England's median, or less than a third of it;
* **implausible** for every ``hospital_ap`` figure left unflagged: alternative-provision and hospital places are
  mostly taken by pupils without an EHC plan, so the ratio is spend per plan placed there, not a unit cost
  (England's median of the usable figures is about £93,000).

England's median and the neighbours' median are of the *usable* figures of the type: those neither missing nor
flagged for few placements or no spend (the ratio rule needs England's median first, so neither it nor the
hospital and AP rule takes a figure out of the medians); ``neighbours_used`` counts the neighbours with a usable
figure. Neighbours are DfE's April 2021 list by default, the one in force in 2021-22.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis_helpers.core.paths import HIGH_NEEDS_BENCHMARKING_FILE
from analysis_helpers.data.high_needs import areas, placements, spend
from analysis_helpers.data.neighbours import check_vintage, neighbour_table

#: Placement type -> (the file's placement columns, the outturn lines ``(line, phase)`` that pay for it).
TYPES: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {
    "mainstream_and_resourced": (("mainstream", "resourced_provision"), (
        ("place_funding", "primary"), ("place_funding", "secondary"),
        ("top_up_maintained", "primary"), ("top_up_maintained", "secondary"))),
    "maintained_special": (("maintained_special",), (("place_funding", "special"), ("top_up_maintained", "special"))),
    "nmss_independent": (("nmss_independent",), (
        ("top_up_independent", "primary"), ("top_up_independent", "secondary"), ("top_up_independent", "special"))),
    "hospital_ap": (("hospital_ap",), (
        ("place_funding", "pru_ap"), ("top_up_maintained", "pru_ap"), ("top_up_independent", "pru_ap"))),
    "post_16": (("post_16",), (
        ("place_funding", "post_school"), ("top_up_maintained", "post_school"), ("top_up_independent", "post_school"))),
    "other": (("other",), ()),
}
#: Placements below which a ratio is flagged implausible.
MIN_PLACEMENTS = 10
#: A figure more than this many times England's median, or less than its reciprocal, is flagged implausible.
RATIO = 3.0
#: Types whose ratio is never a unit cost (see the module docstring).
NOT_PER_PLACEMENT = {"hospital_ap": "AP and hospital places are mostly taken by pupils without an EHC plan: this is "
                                    "spend per plan placed there, not a unit cost"}
#: The neighbour list in force in 2021-22.
NEIGHBOUR_VINTAGE = "2021"
COLUMNS = ("la_number", "la_name", "region", "placement", "placements", "spend", "unit_cost", "flag",
           "england_median", "neighbours_median", "neighbours_used")


def unit_costs(path: Path = HIGH_NEEDS_BENCHMARKING_FILE, neighbours: str = NEIGHBOUR_VINTAGE) -> pd.DataFrame:
    """One row an LA and placement type (:data:`COLUMNS`): ``placements`` (EHC plans), ``spend`` (£, 2021-22
    outturn on the type's lines), ``unit_cost`` (£ a placement), ``flag`` (see the module docstring), England's
    and the LA's statistical neighbours' medians of usable figures, and how many neighbours had one."""
    vintage = check_vintage(neighbours)
    table = _ratios(path)
    table["flag"] = [_first_flag(r) for r in table.itertuples()]
    usable = table["flag"] == ""
    medians = table[usable].groupby("placement")["unit_cost"].median()
    table["england_median"] = table["placement"].map(medians)
    outside = usable & ((table["unit_cost"] > RATIO * table["england_median"]) |
                        (table["unit_cost"] < table["england_median"] / RATIO))
    table.loc[outside, "flag"] = [
        f"implausible: £{cost:,.0f} is more than {RATIO:g} times England's median (£{median:,.0f})" if cost > median
        else f"implausible: £{cost:,.0f} is less than 1/{RATIO:g} of England's median (£{median:,.0f})"
        for cost, median in zip(table.loc[outside, "unit_cost"], table.loc[outside, "england_median"], strict=True)
    ]
    for placement, reason in NOT_PER_PLACEMENT.items():
        table.loc[(table["placement"] == placement) & (table["flag"] == ""), "flag"] = f"implausible: {reason}"
    pairs = neighbour_table(vintage)[["la_number", "neighbour_number"]]
    costs = table.loc[usable, ["la_number", "placement", "unit_cost"]].rename(columns={"la_number": "neighbour_number"})
    around = pairs.merge(costs, on="neighbour_number").groupby(["la_number", "placement"])["unit_cost"]
    summary = pd.DataFrame({"neighbours_median": around.median(), "neighbours_used": around.size()}).reset_index()
    table = table.merge(summary, on=["la_number", "placement"], how="left")
    table["neighbours_used"] = table["neighbours_used"].fillna(0).astype("int64")
    return table[list(COLUMNS)]


def england_totals(path: Path = HIGH_NEEDS_BENCHMARKING_FILE) -> pd.DataFrame:
    """England's totals by placement type: ``placement, placements, spend, unit_cost``, the sums of every LA row's
    cells (the file has no England row), and the pooled unit cost (England's spend over its placements; both sums
    include Northamptonshire, whose placements are the old county's and spend the two new LAs')."""
    plans, outturn = placements(path), _outturn_lines(path)
    rows = []
    for placement, (columns, lines) in TYPES.items():
        count = plans.loc[plans["placement"].isin(columns), "plans"].sum()
        money = outturn.loc[pd.Index(outturn["key"]).isin(lines), "amount"].sum() if lines else float("nan")
        rows.append({"placement": placement, "placements": count, "spend": money,
                     "unit_cost": money / count if count else float("nan")})
    return pd.DataFrame(rows)


def _outturn_lines(path: Path) -> pd.DataFrame:
    lines = spend(path, basis="outturn")
    return lines.assign(key=pd.MultiIndex.from_arrays([lines["line"], lines["phase"]]))


def _ratios(path: Path) -> pd.DataFrame:
    """Placements, spend and their ratio by LA and type; missing where any cell that makes them is missing."""
    plans, outturn = placements(path), _outturn_lines(path)
    las = plans.drop_duplicates("la_number")[["la_number", "la_name", "region"]]
    frames = []
    for placement, (columns, lines) in TYPES.items():
        count = plans[plans["placement"].isin(columns)].groupby("la_number")["plans"].sum(min_count=len(columns))
        money = (outturn[pd.Index(outturn["key"]).isin(lines)].groupby("la_number")["amount"].sum(min_count=len(lines))
                 if lines else pd.Series(dtype=float))
        frame = las.assign(placement=placement)
        frame["placements"] = frame["la_number"].map(count)
        frame["spend"] = frame["la_number"].map(money).astype(float)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = table["spend"] / table["placements"]
    table["unit_cost"] = ratio.where(table["placements"] > 0)
    return table


def _first_flag(row) -> str:
    """The missing and small-number rules of the module docstring, in order (the ratio rule comes after)."""
    if not TYPES[row.placement][1]:
        return "missing: no spend line of the file pays for this type"
    if pd.isna(row.placements) or pd.isna(row.spend):
        what = "placements" if pd.isna(row.placements) else "spend"
        return f"missing: the file has no {what} for this LA ('#N/A')"
    if row.placements == 0:
        return "missing: no placements"
    if row.placements < MIN_PLACEMENTS:
        return f"implausible: {row.placements:,.0f} placements, fewer than {MIN_PLACEMENTS}"
    if row.spend == 0:
        return f"implausible: no spend on the type's lines for {row.placements:,.0f} placements"
    return ""


def spend_per_head(la_number: str, path: Path = HIGH_NEEDS_BENCHMARKING_FILE, neighbours: str = NEIGHBOUR_VINTAGE) -> pd.DataFrame:
    """2021-22 high-needs outturn (net, the seven lines' totals) per child aged 2-18 (ONS mid-2021 projection, the
    file's own population column): ``comparator, spend, population, per_head``, a row for the LA, England (every LA
    with both figures, summed) and the median of the LA's statistical neighbours' figures (``spend`` and
    ``population`` blank on that row, which is a median of ratios)."""
    lines = spend(path, basis="outturn")
    totals = lines[lines["phase"] == "total"].groupby("la_number")["amount"].sum(min_count=1)
    people = areas(path).set_index("la_number")["population_2_18"]
    table = pd.DataFrame({"spend": totals, "population": people}).dropna()
    table = table[table["population"] > 0]
    table["per_head"] = table["spend"] / table["population"]
    pairs = neighbour_table(check_vintage(neighbours))
    near = table.reindex(pairs.loc[pairs["la_number"] == la_number, "neighbour_number"])["per_head"].dropna()
    rows = [{"comparator": "Area", **(table.loc[la_number].to_dict() if la_number in table.index else
                                       {"spend": np.nan, "population": np.nan, "per_head": np.nan})},
            {"comparator": "England", "spend": table["spend"].sum(), "population": table["population"].sum(),
             "per_head": table["spend"].sum() / table["population"].sum()},
            {"comparator": "Statistical neighbours (median)", "spend": np.nan, "population": np.nan,
             "per_head": near.median() if len(near) else np.nan, "neighbours_used": len(near)}]
    return pd.DataFrame(rows)
