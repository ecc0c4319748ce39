"""One colour, marker and line style per thing a chart draws, the same in every chart.

The colours are Okabe and Ito's colour-blind-safe set (Okabe & Ito, *Color Universal
Design*, 2008). Each comparator also has its own marker and line style, and every chart
names it in a legend or on the line itself, so no meaning is carried by colour alone
(a chart printed in grey still reads).

* the area the review is about: blue, solid line, circles;
* England: vermillion, dashed, squares;
* the area's region: bluish green, dash-dot, triangles;
* the statistical neighbours (their median): reddish purple, dotted, plus signs; each
  neighbour on its own, or any other local authority: light grey;
* a target: dark grey dashed line; a required path to it: mid grey;
* a projection and its prediction bands: orange;
* a figure "beyond chance" (a group's gap, an XmR special cause): black diamonds,
  always with words that say so.

No two meanings share a colour. Nothing here draws: :mod:`.charts` and
:mod:`.pathway_charts` read these constants.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    """How one thing is drawn: colour, marker and line style."""

    colour: str
    marker: str
    linestyle: str | tuple


AREA = Style("#0072B2", "o", "-")
ENGLAND = Style("#D55E00", "s", "--")
REGION = Style("#009E73", "^", "-.")
NEIGHBOURS = Style("#CC79A7", "P", ":")
#: Any other local authority (a neighbour on its own, the other LAs of a funnel plot).
OTHER = Style("#BFBFBF", "o", (0, (3, 1, 1, 1)))
TARGET = Style("#3D3D3D", "", (0, (6, 3)))
REQUIRED = Style("#7F7F7F", "", "-")
PROJECTION = Style("#E69F00", "", "--")
BEYOND_CHANCE = Style("#000000", "D", "")

#: Each comparator's style by the name a compare table gives it.
COMPARATORS = {"Area": AREA, "England": ENGLAND, "Region": REGION, "Statistical neighbours (median)": NEIGHBOURS}


def for_name(name: str, *, area: str | None, region: str | None = None) -> Style:
    """The style of a line named ``name``: the area's, England's, the region's, the neighbours' median, else OTHER."""
    if name == area:
        return AREA
    if name == "England":
        return ENGLAND
    if region is not None and name == region:
        return REGION
    if name.startswith("Statistical neighbours"):
        return NEIGHBOURS
    return OTHER
