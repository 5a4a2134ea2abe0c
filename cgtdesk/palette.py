"""The one palette: app charts, presentation slides, PowerPoint and the Excel workbook.

Okabe & Ito (2008), "Color Universal Design": eight colours that stay distinct under the
common forms of colour blindness. One fixed colour per breakdown category and one colour per
scenario (by its index in the project). Plain data: no Qt here, so the workbook writer and the
command line read the same colours as the window.
"""

from __future__ import annotations

#: Okabe-Ito palette, by name
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: one fixed colour per breakdown category (the model's order)
CATEGORY_COLOURS = {
    "materials": OKABE_ITO["orange"],
    "vector": OKABE_ITO["sky_blue"],
    "labour": OKABE_ITO["blue"],
    "qc": OKABE_ITO["bluish_green"],
    "facility": OKABE_ITO["reddish_purple"],
    "logistics": OKABE_ITO["yellow"],
    "royalties": OKABE_ITO["vermillion"],
}

#: scenario colours by index (the ones that read on white and on dark backgrounds first)
SCENARIO_ORDER = ("blue", "vermillion", "bluish_green", "orange", "reddish_purple", "sky_blue", "yellow")

#: colours for the three capacity measures and the tornado's low/high inputs
MEASURE_COLOURS = {"units": OKABE_ITO["blue"], "suites": OKABE_ITO["orange"], "fte": OKABE_ITO["bluish_green"]}
LOW_COLOUR = OKABE_ITO["sky_blue"]
HIGH_COLOUR = OKABE_ITO["vermillion"]
GOOD_COLOUR = OKABE_ITO["bluish_green"]
BAD_COLOUR = OKABE_ITO["vermillion"]


def scenario_colour(index: int) -> str:
    """The colour of the scenario at ``index`` in the project ("#RRGGBB")."""
    return OKABE_ITO[SCENARIO_ORDER[index % len(SCENARIO_ORDER)]]


def category_colour(category: str) -> str:
    """The colour of a breakdown category ("#RRGGBB")."""
    return CATEGORY_COLOURS[category]
