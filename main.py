"""Start CGT Desk: the window, or a command (``python main.py --help``); see cgtdesk/__main__.py."""

import sys

from cgtdesk.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
