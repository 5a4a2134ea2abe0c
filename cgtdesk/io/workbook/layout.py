"""What the workbook writer and reader agree on: sheet names, header labels, limits of what is read
(the layout of docs/workbook.md)."""

from __future__ import annotations

WORKBOOK_FORMAT_VERSION = 1

SHEET_COVER = "Cover"
SHEET_INPUTS = "Inputs"
SHEET_UNCERTAINTY = "Uncertainty"
SHEET_CALC = "Calculations"
SHEET_RESULTS = "Results"
SHEET_SWEEP = "Sweep"
SHEET_MC = "MonteCarlo"
SHEET_TORNADO = "Tornado"
SHEET_CHECKS = "Checks"
SHEET_PLAN = "Plan"
SHEET_PLAN_SUMMARY = "PlanSummary"
SHEET_CHANGES = "Changes"  # live: which inputs differ from the export (changes_sheet.py)
SHEET_IDENTITY = "Export"  # hidden: project id, export id, input and formula hashes (provenance.py)

# Inputs sheet: fixed header labels (scenario columns sit between Unit and Valid range)
H_GROUP, H_PARAMETER, H_KEY, H_UNIT, H_RANGE, H_SOURCE = "Group", "Parameter", "Key", "Unit", "Valid range", "Source"
INPUT_FIXED_HEADERS = (H_GROUP, H_PARAMETER, H_KEY, H_UNIT, H_RANGE, H_SOURCE)
KEY_PROCESS = "process"
KEY_NOTES = "notes"
#: where the writer puts the Inputs header row and the first scenario column (0-based); the reader
#: finds them by their labels, and uses these only to read a name formula written at export
EXPORT_INPUT_HEADER, EXPORT_INPUT_COL0 = 3, 4
KEY_SCENARIO_ID = "scenario_id"  # a hidden row: the exported scenario of each column

# Uncertainty sheet
U_SCENARIO, U_PARAMETER, U_KEY, U_UNIT, U_DIST = "Scenario", "Parameter", "Key", "Unit", "Distribution"
#: distribution field -> column header
U_FIELDS = {
    "value": "Value",
    "low": "Low",
    "mode": "Mode",
    "high": "High",
    "mean": "Mean",
    "sd": "SD",
    "median": "Median",
    "sigma": "Sigma (of ln x)",
}
C_SCENARIO, C_KEY_A, C_KEY_B, C_RHO = "Scenario", "Key A", "Key B", "Rank correlation"

# Cover sheet labels the reader looks for
COVER_TITLE = "Project title"
COVER_CURRENCY = "Currency"
COVER_FORMAT = "Workbook format version"

# Limits of what the reader accepts (bounded time and memory)
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_TOTAL = 200 * 1024 * 1024
MAX_UNCOMPRESSED_MEMBER = 100 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for members above RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 10_000
MAX_ROWS = 5_000
MAX_COLS = 400

EXCEL_ERRORS = frozenset(
    (
        "#DIV/0!",
        "#N/A",
        "#NAME?",
        "#NULL!",
        "#NUM!",
        "#REF!",
        "#VALUE!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    )
)


def col_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A)."""
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def cell_ref(row: int, col: int, absolute: bool = False) -> str:
    """0-based (row, col) -> 'F14' (or '$F$14')."""
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


def excel_text(text: str) -> str:
    """``text`` as a string literal inside a formula (quotes doubled)."""
    return '"' + text.replace('"', '""') + '"'
