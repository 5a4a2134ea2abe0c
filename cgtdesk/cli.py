"""The headless interface: ``python -m cgtdesk COMMAND ...`` (and ``python main.py COMMAND ...``).

Exit status: 0 done, 2 bad input (one message on stderr naming the file and the place, never
a traceback), 1 an internal error.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence

from cgtdesk import __version__
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import format_value

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2


class UsageError(InputError):
    """A command line whose words are off."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would exit; we want one message and status 2
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


# ---------------------------------------------------------------- output helpers


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


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], out=None) -> None:
    out = out or sys.stdout
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for n, r in enumerate([header, *rows]):
        cells = [str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(r)]
        out.write("  ".join(cells).rstrip() + "\n")
        if n == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")


# ---------------------------------------------------------------- commands


def cmd_compute(args) -> int:
    from cgtdesk.core.catalogue import catalogue
    from cgtdesk.core.model import evaluate_scenario, nest_breakdown
    from cgtdesk.io import load_any

    project = load_any(args.file)
    computed = [(s, evaluate_scenario(s)) for s in project.scenarios]
    if args.json:
        print_json(
            {
                "format_version": 1,
                "title": project.title,
                "currency": project.currency,
                "scenarios": [
                    {"name": s.name, "process": s.process, "results": nest_breakdown(r)} for s, r in computed
                ],
            }
        )
        return EXIT_OK
    print(f"{project.title} ({project.currency})\n")
    header = ["Result", "Unit", *[s.name for s, _ in computed]]
    rows = [["Process", "", *[s.process for s, _ in computed]]]
    for key, info in catalogue().results.items():
        rows.append([info.label, info.unit_for(project.currency), *[format_value(r[key], info.kind, project.currency) for _, r in computed]])
    print_table(header, rows)
    return EXIT_OK


def cmd_templates(args) -> int:
    from cgtdesk.core.templates import templates

    ts = templates()
    if args.json:
        print_json(
            [
                {"id": t.id, "name": t.name, "process": t.process, "description": t.description, "overrides": t.overrides, "sources": t.sources}
                for t in ts.values()
            ]
        )
        return EXIT_OK
    print_table(["Template", "Process", "Description"], [[t.id, t.process, t.name] for t in ts.values()])
    return EXIT_OK


def cmd_new(args) -> int:
    from cgtdesk.core.project import Project, project_from_dict
    from cgtdesk.core.templates import template
    from cgtdesk.io.projectfile import save_project

    t = template(args.template)
    out = _output_path(args.output, (".cgtproj",))
    scenario = t.scenario(args.name)
    project = Project(title=args.title or f"New project: {t.name}", currency=args.currency, scenarios=[scenario])
    project_from_dict(project.to_dict(), where_prefix="the new project: ")  # never write a file that would not load
    try:
        save_project(project, out)
    except OSError as e:
        raise InputError(f"{out}: cannot be written ({e.strerror or e})") from None
    print(f"wrote {out} with one {t.process} scenario '{scenario.name}' from template {t.id}", file=sys.stderr)
    return EXIT_OK


def _output_path(path: str, suffixes: tuple[str, ...]):
    from pathlib import Path

    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise InputError(f"{path}: expected an output file ending in {' or '.join(suffixes)}")
    if p.is_dir():
        raise InputError(f"{path}: is a folder, expected a file name")
    if not (p.parent if str(p.parent) else Path(".")).is_dir():
        raise InputError(f"{path}: the folder {p.parent} does not exist")
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cgtdesk", description="CGT Desk: cost of goods for cell and gene therapy manufacturing.")
    parser.add_argument("--version", action="version", version=f"CGT Desk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("compute", help="every scenario's results")
    p.add_argument("file", metavar="FILE", help=".cgtproj project or .xlsx workbook")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_compute)

    p = sub.add_parser("templates", help="list the process templates")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_templates)

    p = sub.add_parser("new", help="a new project from a template")
    p.add_argument("--template", required=True, metavar="NAME")
    p.add_argument("-o", "--output", required=True, metavar="OUT.cgtproj")
    p.add_argument("--name", help="scenario name (default: the template's name)")
    p.add_argument("--title", help="project title")
    p.add_argument("--currency", default="USD", help="currency label (default USD; no conversion)")
    p.set_defaults(func=cmd_new)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


#: functions adding further subcommands; each takes the subparsers object
_EXTRA_COMMANDS: list = []


def _register_optional_commands() -> None:
    """Commands that live in their own modules (Excel, analyses) add themselves here."""
    import importlib

    for name in ("cgtdesk.cli_workbook", "cgtdesk.cli_analysis"):
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            continue
        if mod.register not in _EXTRA_COMMANDS:
            _EXTRA_COMMANDS.append(mod.register)


def command_names() -> set[str]:
    _register_optional_commands()
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def _one_line(message) -> str:
    """A message as one printable line: control characters and line breaks in names (a scenario
    called "a<newline>b", a key holding a form feed) are shown escaped, never as a new line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(message))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        _register_optional_commands()
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as e:  # --help and --version
            return int(e.code or 0)
        return int(args.func(args) or 0)
    except UsageError as e:
        print(_one_line(e), file=sys.stderr)
        return EXIT_INPUT
    except InputError as e:
        print(f"cgtdesk: {_one_line(e)}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print("cgtdesk: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("cgtdesk: out of memory; try fewer samples or points", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as e:  # an internal error: one line, never a traceback on a user's screen
        print(f"cgtdesk: internal error ({type(e).__name__}: {_one_line(e)}); please report it with the command you ran", file=sys.stderr)
        return EXIT_INTERNAL
