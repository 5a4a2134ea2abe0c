"""python -m cgtdesk COMMAND ...: the command line."""

import sys

from cgtdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
