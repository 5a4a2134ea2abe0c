"""Regenerate the parameter table of docs/model.md from the parameter catalogue.

    python tools/gen_model_doc.py           rewrite the table between the markers in docs/model.md
    python tools/gen_model_doc.py --check   exit 1 (and say so) when the table has drifted

The table sits between ``<!-- BEGIN PARAMETERS -->`` and ``<!-- END PARAMETERS -->``; the rest of
the page is hand-written and left alone. tests/test_docs.py fails when the two disagree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cgtdesk.core.catalogue import PROCESSES, catalogue  # noqa: E402

DOC = ROOT / "docs" / "model.md"
BEGIN = "<!-- BEGIN PARAMETERS -->"
END = "<!-- END PARAMETERS -->"
HEADER = ("key", "label", "unit", "default autologous / allogeneic", "valid range", "applies to", "source")


def doc_number(x) -> str:
    """A number for the page: 1,500,000 below ten million, 1e+08 above, 0.85 for fractions."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e7:
        return f"{int(x):,}"
    if abs(x) >= 1e7:
        return f"{x:.4g}"
    return f"{x:.10g}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _default(p) -> str:
    values = [p.default[pr] for pr in PROCESSES if pr in p.processes]
    if len(values) == 2 and values[0] == values[1]:
        return doc_number(values[0])
    if len(values) == 2:
        return f"{doc_number(values[0])} / {doc_number(values[1])}"
    return doc_number(values[0])


def _range(p) -> str:
    text = f"{doc_number(p.min)} .. {doc_number(p.max)}"
    return text + " (integer)" if p.integer else text


def _applies(p) -> str:
    return "both" if set(p.processes) == set(PROCESSES) else ", ".join(p.processes)


def parameter_table() -> str:
    """The Markdown table of every catalogue parameter, in catalogue order, grouped."""
    cat = catalogue()
    lines = [
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---" for _ in HEADER) + "|",
    ]
    group = None
    for p in cat.parameters.values():
        if p.group != group:
            group = p.group
            lines.append(f"| **{_cell(group)}** |" + " |" * (len(HEADER) - 1))
        row = (f"`{p.key}`", p.label, p.unit, _default(p), _range(p), _applies(p), p.source)
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines)


def render(text: str) -> str:
    """``text`` with the block between the markers replaced by the current table."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"docs/model.md must hold the markers {BEGIN} and {END}, in that order")
    return text[: start + len(BEGIN)] + "\n" + parameter_table() + "\n" + text[end:]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when docs/model.md is out of date")
    args = ap.parse_args(argv)
    current = DOC.read_text(encoding="utf-8")
    fresh = render(current)
    if args.check:
        if fresh != current:
            print("docs/model.md: the parameter table is out of date; run python tools/gen_model_doc.py", file=sys.stderr)
            return 1
        return 0
    if fresh != current:
        DOC.write_text(fresh, encoding="utf-8")
        print("docs/model.md: parameter table regenerated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
