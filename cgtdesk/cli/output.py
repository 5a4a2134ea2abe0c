"""What the commands print and write: JSON, readable tables, output file names, exit codes.

Numbers are formatted by :mod:`cgtdesk.core.formatting`, the one formatter of the app.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import safe_cell

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2


def jsonable(x):
    """Plain JSON data: numpy scalars to Python, NaN and infinities to null."""
    import numpy as np

    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return [jsonable(v) for v in x.tolist()]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return x if math.isfinite(x) else None
    return x


def print_json(data) -> None:
    json.dump(jsonable(data), sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def print_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Comma-separated values on standard output, one line per row as it comes (newline endings on every system)."""
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow([safe_cell(h) for h in header])
    w.writerows([safe_cell(c) for c in row] for row in rows)


#: the widest table the command line prints (a terminal beside another window)
TABLE_WIDTH = 120
#: the narrowest a column's header is wrapped to
MIN_COLUMN = 12


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], out=None, width: int = TABLE_WIDTH) -> None:
    """Columns padded to their widest cell: the first left-aligned, the rest right-aligned.

    No wider than ``width`` characters: long headers (scenario names) wrap at word boundaries
    over several lines; a table still too wide is printed in blocks of columns, each repeating
    the first column.
    """
    out = out or sys.stdout
    # names are the user's text: control characters (a terminal escape in a scenario name) are
    # shown escaped, never sent to the terminal
    header = [one_line(h) for h in header]
    rows = [[one_line(c) for c in r] for r in rows]
    if _width(header, rows, wrap=False) <= width:
        _print_block(header, rows, out, wrap=False)
        return
    blocks, current = [], []
    for i in range(1, len(header)):
        trial = [0, *current, i]
        if current and _width([header[j] for j in trial], [[r[j] for j in trial] for r in rows], wrap=True) > width:
            blocks.append(current)
            current = []
        current.append(i)
    blocks.append(current)
    for n, block in enumerate(blocks):
        if n:
            out.write("\n")
        cols = [0, *block]
        _print_block([header[j] for j in cols], [[r[j] for j in cols] for r in rows], out, wrap=True)


def _widths(header, rows, wrap: bool) -> list[int]:
    data = [max([len(r[i]) for r in rows], default=0) for i in range(len(header))]
    if not wrap:
        return [max(d, len(h)) for d, h in zip(data, header, strict=True)]
    longest_word = [max((len(w) for w in h.split()), default=0) for h in header]
    return [max(data[0], len(header[0]))] + [
        max(d, min(len(h), max(MIN_COLUMN, w))) for d, h, w in zip(data[1:], header[1:], longest_word[1:], strict=True)
    ]


def _width(header, rows, wrap: bool) -> int:
    return sum(_widths(header, rows, wrap)) + 2 * (len(header) - 1)


def _print_block(header, rows, out, wrap: bool) -> None:
    import textwrap

    widths = _widths(header, rows, wrap)
    lines = [textwrap.wrap(h, w, break_long_words=False) or [""] for h, w in zip(header, widths, strict=True)]
    depth = max(len(x) for x in lines)
    head = [[""] * (depth - len(x)) + x for x in lines]  # bottom-aligned, as a spreadsheet's header
    table = [[h[k] for h in head] for k in range(depth)] + [None] + rows
    for r in table:
        if r is None:
            out.write("  ".join("-" * w for w in widths) + "\n")
            continue
        cells = [c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)]
        out.write("  ".join(cells).rstrip() + "\n")


def one_line(message) -> str:
    """A message as one printable line: control characters and line breaks in names (a scenario
    called "a<newline>b", a key holding a form feed) are shown escaped, never as a new line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(message))


def load(path):
    """The project of a .cgtproj file or a workbook, its notices (e.g. that a version 1 file took
    the version 2 defaults) written once on stderr as notes, never on stdout (so ``--json``
    output stays plain data)."""
    from cgtdesk.io import load_any

    return notify(path, load_any(path))


def notify(path, project):
    """Write the project's notices on stderr, one note each, naming the file; the project back."""
    for notice in project.notices:
        print(f"cgtdesk: note: {one_line(path)}: {one_line(notice)}", file=sys.stderr)
    return project


def warn_outside(scenarios, currency: str, *, quiet: bool = False) -> list[str]:
    """The inputs whose base value lies outside their distribution, one sentence each naming the
    scenario and the key; written on stderr as warnings unless ``quiet``."""
    from cgtdesk.core.sampling import base_outside_distribution, outside_text

    texts = [outside_text(item, currency) for item in base_outside_distribution(scenarios)]
    if not quiet:
        for t in texts:
            print(f"cgtdesk: warning: {one_line(t)}", file=sys.stderr)
    return texts


def output_path(path: str, suffixes: tuple[str, ...]) -> Path:
    """The file a command will write, checked before any work: its suffix, not a folder, its folder exists."""
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise InputError(f"{path}: expected an output file ending in {' or '.join(suffixes)}")
    if p.is_dir():
        raise InputError(f"{path}: is a folder, expected a file name")
    if not (p.parent if str(p.parent) else Path(".")).is_dir():
        raise InputError(f"{path}: the folder {p.parent} does not exist")
    return p
