"""One entry point: ``cgtdesk`` / ``python -m cgtdesk`` / ``python main.py``.

    cgtdesk [FILE] [--present] [--screenshot PNG [--view NAME]] [--export-deck PDF]   the window
    cgtdesk COMMAND ...                                                               the command line

A first word that is a command (compute, export, sweep, ...) runs the command line; anything
else (nothing, options, a FILE) starts the window. A bare word that is neither a command nor a
file (``cgtdesk frobnicate``) is a mistyped command: the command line says so, with exit 2.
``--help`` shows the window's options and lists the commands; ``--version`` prints the version.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

#: suffixes that make a first word a file for the window, even when the file does not exist
FILE_SUFFIXES = (".cgtproj", ".xlsx")


def is_command_line(argv: Sequence[str]) -> bool:
    """Whether these arguments are for the command line (True) or the window (False)."""
    if not argv or argv[0].startswith("-"):
        return False
    word = argv[0]
    if Path(word).suffix.lower() in FILE_SUFFIXES or any(sep in word for sep in "/\\"):
        return False  # a file for the window (no command word has either): the command line is not even loaded
    from cgtdesk.cli.main import command_names

    if word in command_names():
        return True
    return not Path(word).exists()


def print_help() -> None:
    """The window's options, then every command word (each has its own --help)."""
    from cgtdesk.cli.main import command_names
    from cgtdesk.gui.app import parse_gui_args

    try:
        parse_gui_args(["--help"])
    except SystemExit:
        pass
    print(f"\ncommands: cgtdesk COMMAND ... with COMMAND one of {', '.join(command_names())}")
    print("  (cgtdesk COMMAND --help for its options)")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if is_command_line(argv):
        from cgtdesk.cli.main import main as cli_main

        return cli_main(argv)
    if argv[:1] == ["--version"]:
        from cgtdesk.cli.main import main as cli_main

        return cli_main(argv)
    if any(a in ("-h", "--help") for a in argv):
        print_help()
        return 0
    return gui(argv)


def gui(argv: Sequence[str] | None = None) -> int:
    """The window only (the ``cgtdesk-gui`` script): every argument is the window's."""
    from cgtdesk.gui.app import run

    return run(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
