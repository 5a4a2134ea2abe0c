"""Chart style: the Okabe-Ito colour-blind-safe palette, theme colours and font sizes.

One fixed colour per breakdown category and one colour per scenario (by its index in the
project), used by every chart, the presentation slides and the exports alike. Okabe & Ito
(2008), "Color Universal Design": eight colours that stay distinct under the common forms of
colour blindness. Scenarios also differ by line style (autologous solid, allogeneic dashed),
so that no chart relies on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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

#: one fixed colour per breakdown category (MODEL.md order)
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
_SCENARIO_ORDER = ("blue", "vermillion", "bluish_green", "orange", "reddish_purple", "sky_blue", "yellow")

#: colours for the three capacity measures and the tornado's low/high inputs
MEASURE_COLOURS = {"units": OKABE_ITO["blue"], "suites": OKABE_ITO["orange"], "fte": OKABE_ITO["bluish_green"]}
LOW_COLOUR = OKABE_ITO["sky_blue"]
HIGH_COLOUR = OKABE_ITO["vermillion"]
GOOD_COLOUR = OKABE_ITO["bluish_green"]
BAD_COLOUR = OKABE_ITO["vermillion"]


def scenario_colour(index: int) -> str:
    return OKABE_ITO[_SCENARIO_ORDER[index % len(_SCENARIO_ORDER)]]


def category_colour(category: str) -> str:
    return CATEGORY_COLOURS[category]


@dataclass(frozen=True)
class Theme:
    dark: bool
    background: str
    foreground: str
    grid_alpha: float
    muted: str  # secondary text, reference lines
    neutral_bar: str  # price bar of the waterfall


LIGHT = Theme(False, "#FFFFFF", "#1A1A1A", 0.25, "#555555", "#7F7F7F")
DARK = Theme(True, "#1E1E1E", "#E8E8E8", 0.25, "#AAAAAA", "#9A9A9A")


def theme(dark: bool = False) -> Theme:
    return DARK if dark else LIGHT


@dataclass(frozen=True)
class ChartStyle:
    """Sizes in pixels (logical), so that a chart looks the same on every screen and export."""

    theme: Theme = LIGHT
    font_px: int = 12  # ticks, legend
    label_px: int = 13  # axis labels
    value_px: int = 11  # value labels on bars
    title_px: int = 16  # slide titles
    line_width: float = 2.0
    marker_size: float = 8.0
    presentation: bool = False
    #: pens are cosmetic (device pixels): drawn at n times the pixel density, they are n times wider
    pen_scale: float = 1.0

    def with_theme(self, dark: bool) -> ChartStyle:
        return replace(self, theme=theme(dark))

    def px(self, width: float) -> float:
        """A pen width given in logical pixels, in the device pixels pens are drawn in."""
        return width * self.pen_scale

    def for_pixel_ratio(self, ratio: float) -> ChartStyle:
        """The same look drawn at ``ratio`` device pixels per logical pixel (4K export: 2)."""
        return replace(self, line_width=self.line_width * ratio, pen_scale=self.pen_scale * ratio)


def normal_style(dark: bool = False) -> ChartStyle:
    return ChartStyle(theme=theme(dark))


def presentation_style(dark: bool = False, scale: float = 1.0) -> ChartStyle:
    """Large type and thick lines for a room; ``scale`` 1.0 is a 1920x1080 logical slide."""
    s = max(0.4, float(scale))
    return ChartStyle(
        theme=theme(dark),
        font_px=round(24 * s),
        label_px=round(28 * s),
        value_px=round(22 * s),
        title_px=round(46 * s),
        line_width=5.0 * s,
        marker_size=18.0 * s,
        presentation=True,
    )
