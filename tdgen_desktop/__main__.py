"""``python -m tdgen_desktop``: the command line; with no arguments it opens the window."""

from __future__ import annotations

import sys

from tdgen_desktop import cli

if __name__ == "__main__":
    sys.exit(cli.main())
