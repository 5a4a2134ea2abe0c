"""The command line: the parser, every command registered explicitly, and the exit status.

Exit status: 0 done, 2 bad input (one message on stderr naming the file and the place, never
a traceback), 1 an internal error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cgtdesk import __version__
from cgtdesk.cli import analyses, plan, project, template, workbook
from cgtdesk.cli.output import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, one_line
from cgtdesk.core.errors import InputError

#: the command groups, in the order --help lists them; each adds its subcommands
COMMAND_GROUPS = (project, template, workbook, analyses, plan)


class UsageError(InputError):
    """A command line whose words are off."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would exit; we want one message and status 2
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cgtdesk", description="CGT Desk: cost of goods for cell and gene therapy manufacturing.")
    parser.add_argument("--version", action="version", version=f"CGT Desk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for group in COMMAND_GROUPS:
        group.register(sub)
    return parser


def command_names() -> list[str]:
    """Every command word, in the order --help lists them."""
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as e:  # --help and --version
            return int(e.code or 0)
        return int(args.func(args) or 0)
    except UsageError as e:
        print(one_line(e), file=sys.stderr)
        return EXIT_INPUT
    except InputError as e:
        print(f"cgtdesk: {one_line(e)}", file=sys.stderr)
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
        print(
            f"cgtdesk: internal error ({type(e).__name__}: {one_line(e)}); please report it with the command you ran",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
