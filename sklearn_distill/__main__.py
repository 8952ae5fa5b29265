"""Run the command-line interface: ``python -m sklearn_distill compare``."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
