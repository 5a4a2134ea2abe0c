"""Reading the Cover back (docs/workbook.md): the project title, the currency label and the
workbook format version, each from the cell right beside its label (never a note further along
the row), each refusal naming that cell."""

from __future__ import annotations

from cgtdesk.core.project import MAX_TEXT
from cgtdesk.io.workbook.cells import Rows, blank, found, is_number, text_of
from cgtdesk.io.workbook.layout import COVER_CURRENCY, COVER_FORMAT, COVER_TITLE, SHEET_COVER, WORKBOOK_FORMAT_VERSION

#: the limits of project files (cgtdesk.core.project.project_from_dict), checked here to name the cell
TITLE_MAX, CURRENCY_MAX, NAME_MAX, NOTES_MAX = 500, 12, 200, MAX_TEXT
DEFAULT_TITLE, DEFAULT_CURRENCY = "Untitled project", "USD"


def read_cover(reader) -> tuple[str, str]:
    """(title, currency) from the Cover of the workbook ``reader`` reads; the defaults without a Cover."""
    title, currency = DEFAULT_TITLE, DEFAULT_CURRENCY
    name = reader.sheet_name(SHEET_COVER)
    if name is None:
        return title, currency
    rows = reader.rows(name, max_rows=200)
    for i, row in enumerate(rows.rows):
        for c, v in enumerate(row[:20]):
            label = text_of(v)
            if label == COVER_TITLE:
                title = _title(reader, rows, i, c + 1)
            elif label == COVER_CURRENCY:
                currency = _currency(reader, rows, i, c + 1)
            elif label == COVER_FORMAT:
                _check_format(reader, rows, i, c + 1)
    return title, currency


def _title(reader, rows: Rows, i: int, c: int) -> str:
    value, ref = rows.cell(i, c), rows.ref(i, c)
    if blank(value):
        raise reader.fail(f"{ref}: the project title: expected a title (text), found an empty cell")
    text = value if isinstance(value, str) else text_of(value)
    if len(text) > TITLE_MAX:
        raise reader.fail(f"{ref}: the project title: expected at most {TITLE_MAX} characters, found {len(text)}")
    return text


def _currency(reader, rows: Rows, i: int, c: int) -> str:
    value, ref = rows.cell(i, c), rows.ref(i, c)
    if blank(value):
        raise reader.fail(f"{ref}: the currency: expected a currency label such as USD, found an empty cell")
    if not isinstance(value, str):
        raise reader.fail(f"{ref}: the currency: expected a currency label such as USD, found {found(value)}")
    text = value.strip()
    if len(text) > CURRENCY_MAX:
        raise reader.fail(
            f"{ref}: the currency: expected a label of at most {CURRENCY_MAX} characters such as USD, found {len(text)} characters"
        )
    return text


def _check_format(reader, rows: Rows, i: int, c: int) -> None:
    value = rows.cell(i, c)
    if value is None:
        return
    if not is_number(value) or value != WORKBOOK_FORMAT_VERSION:
        raise reader.fail(
            f"{rows.ref(i, c)}: expected workbook format version {WORKBOOK_FORMAT_VERSION}, found {found(value)} (made by a newer CGT Desk?)"
        )
