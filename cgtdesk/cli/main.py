"""The command line: the parser, every command registered explicitly, and the exit status.

Exit status: 0 done, 2 bad input or output that cannot be written (one message on stderr naming
the file and the place, never a traceback; standard output closed or full included), 1 an
internal error. With ``--json`` an error also prints ``{"error": {"message": ..., "exit": N}}`` on
standard output, so that a script always has JSON to read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from cgtdesk import __version__
from cgtdesk.cli import analyses, plan, project, template, workbook
from cgtdesk.cli.output import EXIT_INPUT, EXIT_INTERNAL, one_line
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


def _run(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help and --version
        return int(e.code or 0)
    return int(args.func(args) or 0)


class _Stdout:
    """Standard output, noting whether writing to it failed (a closed pipe, a full disk), so that
    such a failure is told apart from one writing a named file."""

    def __init__(self, stream):
        self.stream, self.failed = stream, False

    def write(self, text):
        if self.stream is None:  # started with standard output closed: as a closed pipe
            self.failed = True
            raise BrokenPipeError(32, "standard output is closed")
        try:
            return self.stream.write(text)
        except OSError:
            self.failed = True
            raise

    def flush(self):
        try:
            if self.stream is not None:
                self.stream.flush()
        except OSError:
            self.failed = True
            raise

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _silence_stdout() -> None:
    """Point standard output at the null device: it is closed or full, and flushing it again at
    exit would print a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, TypeError):
        pass


def _stdout_failed(e: OSError) -> str:
    what = "closed" if isinstance(e, BrokenPipeError) else f"not writable ({e.strerror or type(e).__name__})"
    return f"cgtdesk: standard output {what}: the output is incomplete"


def _fail(message: str, code: int, as_json: bool, *, stdout_ok: bool = True) -> int:
    """One message on stderr (and a JSON error object on stdout with ``--json``); the exit status."""
    if as_json and stdout_ok:
        try:
            sys.stdout.write(json.dumps({"error": {"message": message, "exit": code}}) + "\n")
            sys.stdout.flush()
        except (OSError, ValueError):
            _silence_stdout()
    try:
        print(message, file=sys.stderr)
    except (OSError, ValueError):
        pass
    return code


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = sys.stdout
    sys.stdout = _Stdout(stdout)
    try:
        return _main(argv, sys.stdout)
    finally:
        sys.stdout = stdout


def _main(argv: list[str], out: _Stdout) -> int:
    as_json = "--json" in argv
    try:
        code = _run(argv)
        sys.stdout.flush()  # here, not at exit: a closed or full standard output is one message, exit 2
        return code
    except UsageError as e:
        return _fail(one_line(e), EXIT_INPUT, as_json)
    except InputError as e:
        return _fail(f"cgtdesk: {one_line(e)}", EXIT_INPUT, as_json)
    except OSError as e:
        if out.failed or isinstance(e, BrokenPipeError):
            _silence_stdout()
            return _fail(_stdout_failed(e), EXIT_INPUT, as_json, stdout_ok=False)
        where = f"{one_line(e.filename)}: " if e.filename else ""
        return _fail(f"cgtdesk: {where}{one_line(e.strerror or e)}", EXIT_INPUT, as_json)
    except KeyboardInterrupt:
        print("cgtdesk: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        return _fail("cgtdesk: out of memory; try fewer samples, points or scenarios", EXIT_INPUT, as_json)
    except Exception as e:  # an internal error: one line, never a traceback on a user's screen
        message = f"cgtdesk: internal error ({type(e).__name__}: {one_line(e)}); please report it with the command you ran"
        return _fail(message, EXIT_INTERNAL, as_json)
