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
    w.writerow(header)
    w.writerows(rows)


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], out=None) -> None:
    """Columns padded to their widest cell: the first left-aligned, the rest right-aligned."""
    out = out or sys.stdout
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for n, r in enumerate([header, *rows]):
        cells = [str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(r)]
        out.write("  ".join(cells).rstrip() + "\n")
        if n == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")


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
