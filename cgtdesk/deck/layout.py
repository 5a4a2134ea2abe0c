"""Slides of any template: the presentation to write into, its layouts, and where things go.

Without a template the deck is python-pptx's default presentation made 16:9 (13.33 x 7.5 in),
with the title placed by :func:`place_title`. With a client's template its slide master,
layouts, theme fonts and colours and slide size are kept: its slides are removed, and the
layouts are found by name (``Title Slide``, ``Title Only``, ``Blank``), else by their
placeholders, else by index. Titles stay in the layout's title placeholder, shrunk to fit on
opening (a finding sentence can be long); the chart takes the room between the title and the
footnote.
"""

from __future__ import annotations

from dataclasses import dataclass

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
from pptx.util import Emu, Inches, Pt

#: a 16:9 slide
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
FOOTNOTE_HEIGHT = Inches(0.55)
TITLE_PT = 26
FOOTNOTE_PT = 10
FOOTNOTE_COLOUR = RGBColor(0x59, 0x59, 0x59)

TITLE_TYPES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
SUBTITLE_TYPES = (PP_PLACEHOLDER.SUBTITLE, PP_PLACEHOLDER.BODY)


@dataclass
class Deck:
    """A presentation to fill and the layouts it offers; ``own``: python-pptx's default one (no template)."""

    prs: object
    title_layout: object
    content_layout: object
    own: bool

    @property
    def width(self) -> int:
        return int(self.prs.slide_width)

    @property
    def height(self) -> int:
        return int(self.prs.slide_height)


def open_deck(template=None) -> Deck:
    """A presentation on ``template`` (a .pptx path; its slides removed) or on the default one, made 16:9."""
    prs = Presentation(str(template)) if template is not None else Presentation()
    if template is None:
        prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    remove_slides(prs)
    layouts = list(prs.slide_layouts)
    title = find_layout(layouts, ("title slide", "title"), want_title=True, want_subtitle=True, index=0)
    content = find_layout(layouts, ("title only",), want_title=True, want_subtitle=False, index=5)
    return Deck(prs, title, content, own=template is None)


def remove_slides(prs) -> None:
    """Drop every slide of ``prs`` (a template's sample slides); their parts go when nothing refers to them."""
    ids = prs.slides._sldIdLst
    for sld in list(ids):
        prs.part.drop_rel(sld.rId)
        ids.remove(sld)


def _types(layout) -> list:
    return [ph.placeholder_format.type for ph in layout.placeholders]


def find_layout(layouts, names, *, want_title: bool, want_subtitle: bool, index: int):
    """The layout named one of ``names`` (any case), else the one with a title (and a subtitle when
    wanted) and the fewest other placeholders, else the one at ``index``, else the first."""
    by_name = {layout.name.strip().lower(): layout for layout in layouts}
    for n in names:
        if n in by_name:
            return by_name[n]

    def fits(layout) -> bool:
        types = _types(layout)
        has_title = any(t in TITLE_TYPES for t in types)
        has_sub = any(t in SUBTITLE_TYPES for t in types)
        return has_title == want_title and (has_sub or not want_subtitle)

    candidates = [la for la in layouts if fits(la)]
    if candidates:
        return min(candidates, key=lambda la: len(_types(la)))
    return layouts[index] if index < len(layouts) else layouts[0]


def placeholder(slide, types):
    for ph in slide.placeholders:
        if ph.placeholder_format.type in types:
            return ph
    return None


def drop_unused_placeholders(slide, keep) -> None:
    """Remove the placeholders not filled (they would show "Click to add text" in PowerPoint)."""
    for ph in list(slide.placeholders):
        if ph not in keep:
            ph._element.getparent().remove(ph._element)


def set_text(frame, text: str, size_pt: int | None = None, bold: bool | None = None, colour=None) -> None:
    lines = text.split("\n")
    frame.text = lines[0]
    for line in lines[1:]:
        frame.add_paragraph().text = line
    for p in frame.paragraphs:
        for r in p.runs:
            if size_pt is not None:
                r.font.size = Pt(size_pt)
            if bold is not None:
                r.font.bold = bold
            if colour is not None:
                r.font.color.rgb = colour


def add_slide(deck: Deck, title: str, layout=None):
    """A slide on the content layout (or ``layout``) with ``title``; returns (slide, top of the free room)."""
    slide = deck.prs.slides.add_slide(layout or deck.content_layout)
    ph = placeholder(slide, TITLE_TYPES)
    if ph is None:  # a layout without a title: a text box where a title goes
        ph = slide.shapes.add_textbox(MARGIN, Inches(0.25), deck.width - 2 * MARGIN, Inches(1.1))
        ph.text_frame.word_wrap = True
    if deck.own:
        place_title(ph, deck)
    frame = ph.text_frame
    set_text(frame, title, TITLE_PT if deck.own else None)
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # shrink a long finding to its box on opening
    drop_unused_placeholders(slide, keep=[ph])
    return slide, int(ph.top) + int(ph.height) + Inches(0.1)


def place_title(shape, deck: Deck) -> None:
    shape.left, shape.top = MARGIN, Inches(0.3)
    shape.width, shape.height = deck.width - 2 * MARGIN, Inches(1.15)
    shape.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE


def content_box(deck: Deck, top: int) -> tuple[int, int, int, int]:
    """(x, y, width, height) of the room between the title and the footnote."""
    bottom = deck.height - FOOTNOTE_HEIGHT - Inches(0.1)
    top = min(int(top), deck.height // 2)
    return Emu(MARGIN), Emu(top), Emu(deck.width - 2 * MARGIN), Emu(max(bottom - top, Inches(1)))


def add_footnote(slide, deck: Deck, text: str) -> None:
    box = slide.shapes.add_textbox(MARGIN, deck.height - FOOTNOTE_HEIGHT, deck.width - 2 * MARGIN, FOOTNOTE_HEIGHT - Inches(0.05))
    box.name = "Footnote"
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    set_text(frame, text, FOOTNOTE_PT, colour=FOOTNOTE_COLOUR)


def add_note(slide, box, text: str) -> None:
    """A line of text where a chart would be (a chart with nothing to show)."""
    x, y, cx, _cy = box
    shape = slide.shapes.add_textbox(x, y + Inches(0.5), cx, Inches(1))
    shape.text_frame.word_wrap = True
    set_text(shape.text_frame, text, 18, colour=FOOTNOTE_COLOUR)


def add_table(slide, box, rows: list[list[str]], first_col_share: float = 0.3, size_pt: int = 12):
    """A native table of text (first row the header) filling the width of ``box``."""
    x, y, cx, _cy = box
    n_rows, n_cols = len(rows), len(rows[0])
    height = Inches(0.34) * n_rows
    table = slide.shapes.add_table(n_rows, n_cols, x, y, cx, height).table
    first = int(cx * first_col_share)
    rest = (cx - first) // max(n_cols - 1, 1)
    table.columns[0].width = Emu(first)
    for j in range(1, n_cols):
        table.columns[j].width = Emu(rest)
    for i, row in enumerate(rows):
        table.rows[i].height = Inches(0.34)
        for j, text in enumerate(row):
            c = table.cell(i, j)
            c.margin_top = c.margin_bottom = Inches(0.03)
            set_text(c.text_frame, text, size_pt, bold=(i == 0) or None)
            c.text_frame.word_wrap = True
    return table
