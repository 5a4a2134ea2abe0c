"""Chart style for Qt: theme colours, font sizes and line widths of charts and slides.

The colours of categories and scenarios come from :mod:`cgtdesk.palette` (the one palette of
the app, the slides and the workbook: Okabe-Ito, colour-blind-safe); they are re-exported here
for the chart code. Scenarios also differ by line style (autologous solid, allogeneic dashed),
so that no chart relies on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cgtdesk.palette import (
    BAD_COLOUR,
    CATEGORY_COLOURS,
    GOOD_COLOUR,
    HIGH_COLOUR,
    LOW_COLOUR,
    MEASURE_COLOURS,
    OKABE_ITO,
    category_colour,
    scenario_colour,
)

__all__ = [
    "BAD_COLOUR",
    "CATEGORY_COLOURS",
    "DARK",
    "GOOD_COLOUR",
    "HIGH_COLOUR",
    "LIGHT",
    "LOW_COLOUR",
    "MEASURE_COLOURS",
    "OKABE_ITO",
    "ChartStyle",
    "Theme",
    "category_colour",
    "normal_style",
    "presentation_style",
    "scenario_colour",
    "theme",
]


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
