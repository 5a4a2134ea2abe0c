"""Start CGT Desk.

    python main.py [FILE] [--present] [--screenshot PNG [--view NAME]] [--export-deck PDF]
    python main.py COMMAND ...      the command line (compute, export, ...), as python -m cgtdesk

With no FILE the example project opens.
"""

import sys


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and not argv[0].startswith("-"):
        from cgtdesk.cli import command_names

        if argv[0] in command_names():
            from cgtdesk.cli import main as cli_main

            return cli_main(argv)
    from cgtdesk.gui.app import run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
