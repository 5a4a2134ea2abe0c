"""Decks to hand over: the charts of the app as a PowerPoint file with native, editable charts.

:mod:`.powerpoint` writes the deck (a title slide, one slide per chart of
:data:`cgtdesk.chartdata.registry.SLIDES`, the key inputs of every scenario as a table), on the
client's template when one is given; :mod:`.charts` turns each chart's data
(:mod:`cgtdesk.chartdata`) into a native chart whose data sit in the embedded workbook, with the
launch plan's charts in :mod:`.plancharts` and the shared building blocks in :mod:`.kit`;
:mod:`.layout` places titles, footnotes and tables on a slide of any template.

No Qt here: the window (File > Export deck > PowerPoint) and ``main.py --export-pptx`` call
:func:`export_pptx`. This package may import ``core``, ``chartdata`` and ``io``, never ``gui``
or ``cli``.
"""

from __future__ import annotations

from cgtdesk.deck.powerpoint import export_pptx

__all__ = ["export_pptx"]
